import { redactText } from './redact.js';

/**
 * Where a platform's API may be: https anywhere, plain http only on this machine (a simulator, a
 * local proxy), since the credential rides in every request and would cross the network in the
 * clear over http. Shared by ExoClick's API (`EXO_API_URL`) and TJ's reporting API (`TJ_API_URL`);
 * each wraps the reason in its own error, which names its own setting.
 */

/** The address for messages: a password in it replaced, and any token or key in its query. */
export function redactedUrl(text: string): string {
  const withoutPassword = text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:[redacted]@');
  return redactText(withoutPassword);
}

/** Loopback hosts as `URL.hostname` gives them (IPv6 in brackets): requests to them never leave the machine. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(hostname)
  );
}

/** Why an address is refused, in words that follow it ("… is plain http to another machine"). */
export type ApiUrlCheck = { readonly url: URL } | { readonly shown: string; readonly reason: string };

/**
 * The API's base URL, checked: https, or http to a loopback host; no user name or password in it
 * (fetch refuses those, and they would be a second credential in `.env`). Ends with a slash, so
 * relative paths (`login`, `campaigns.json`) land under it. `credential` names what would leak
 * ("the API token", "the API key"). A refusal carries the address with its secrets taken out.
 */
export function checkApiUrl(text: string, credential: string): ApiUrlCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { shown: redactedUrl(text), reason: 'is not a URL' };
  }
  const shown = redactedUrl(text);
  if (url.username !== '' || url.password !== '')
    return { shown, reason: `carries a user name or password; ${credential} alone signs in` };
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return {
      shown,
      reason:
        url.protocol === 'http:'
          ? `is plain http to another machine: ${credential} would cross the network unencrypted`
          : `uses ${url.protocol.replace(/:$/, '')}, not https`,
    };
  }
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return { url };
}

/** What the configuration's check says of an address {@link checkApiUrl} refuses. */
export const SAFE_API_URL_RULE =
  'must be an https address (plain http only to this machine: localhost, 127.0.0.1, ::1), with no user name or password in it';

/** Whether {@link checkApiUrl} takes the address: for the configuration's check, which words its own error. */
export function isSafeApiUrl(text: string): boolean {
  return 'url' in checkApiUrl(text, 'the credential');
}

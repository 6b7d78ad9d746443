import { CreativeFlowError } from '../../core/errors.js';
import { redactSecrets } from '../../core/logger.js';

/**
 * Where ExoClick's API may be: https anywhere, plain http only on this machine (the simulator, a
 * local proxy), since the API token and every session token travel in the clear over http.
 */

/** `EXO_API_URL` is not an address the API token may be sent to. */
export class ExoApiUrlError extends CreativeFlowError {
  constructor(
    /** The address as given, its password (if any) taken out. */
    readonly url: string,
    reason: string,
  ) {
    super(`EXO_API_URL ${url} ${reason}`, {
      hint: 'Set EXO_API_URL to ExoClick\'s https address (https://api.exoclick.com/v2/); plain http is taken only on this machine (localhost, 127.0.0.1, ::1).',
    });
  }
}

/** The address for messages: a password in it replaced, and any token in its query. */
export function redactedUrl(text: string): string {
  const withoutPassword = text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:[redacted]@');
  return String(redactSecrets(withoutPassword));
}

/** Loopback hosts as `URL.hostname` gives them (IPv6 in brackets): requests to them never leave the machine. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The API's base URL, checked: https, or http to a loopback host; no user name or password in it
 * (fetch refuses those, and they would be a second credential in `.env`). Ends with a slash, so
 * relative paths (`login`, `campaigns/1`) land under it.
 */
export function exoApiBase(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ExoApiUrlError(redactedUrl(text), 'is not a URL');
  }
  const shown = redactedUrl(text);
  if (url.username !== '' || url.password !== '') throw new ExoApiUrlError(shown, 'carries a user name or password; the API token alone signs in');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ExoApiUrlError(shown, url.protocol === 'http:' ? 'is plain http to another machine: the API token would cross the network unencrypted' : `uses ${url.protocol.replace(/:$/, '')}, not https`);
  }
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

/** Whether {@link exoApiBase} takes the address: for the configuration's check, which words its own error. */
export function isSafeExoApiUrl(text: string): boolean {
  try {
    exoApiBase(text);
    return true;
  } catch {
    return false;
  }
}

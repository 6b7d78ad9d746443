import { CreativeFlowError } from '../../core/errors.js';
import { checkApiUrl, isLoopbackHost, isSafeApiUrl, redactedUrl } from '../../core/api-url.js';

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
      hint: "Set EXO_API_URL to ExoClick's https address (https://api.exoclick.com/v2/); plain http is taken only on this machine (localhost, 127.0.0.1, ::1).",
    });
  }
}

/** Re-exported for ExoClick's callers: the shared rule lives in core, TJ's reporting API uses it too. */
export { isLoopbackHost, redactedUrl };

/**
 * The API's base URL, checked by the shared rule ({@link checkApiUrl}): https, or http to a
 * loopback host, no user name or password. Ends with a slash, so relative paths land under it.
 */
export function exoApiBase(text: string): URL {
  const checked = checkApiUrl(text, 'the API token');
  if ('url' in checked) return checked.url;
  throw new ExoApiUrlError(checked.shown, checked.reason);
}

/** Whether {@link exoApiBase} takes the address: for the configuration's check, which words its own error. */
export function isSafeExoApiUrl(text: string): boolean {
  return isSafeApiUrl(text);
}

import { CreativeFlowError } from '../../core/errors.js';
import { redactSecrets } from '../../core/logger.js';
import { readBodyCapped } from '../../core/capped-body.js';

/**
 * Reading ExoClick's answers without trusting their size or their headers: bodies are read as a
 * stream up to a cap (a proxy or a wrong host could send gigabytes), and the rate-limit reset is
 * read as the contract's seconds or as the epoch some APIs send instead.
 */

/** Largest JSON answer read: a library page of 200 files is some 100 KB, so this is far past any real one. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** An error's words are read this far and no further: 300 characters of them are kept. */
const MAX_WORDS_BYTES = 64 * 1024;

/** An answer longer than the cap: it was not read to its end, so nothing of it is used. */
export class ExoAnswerTooLargeError extends CreativeFlowError {
  constructor(
    readonly what: string,
    readonly limitBytes: number,
  ) {
    super(`ExoClick's answer to ${what} is larger than ${Math.round(limitBytes / 1024)} KB; it was not read`, {
      hint: "No API answer is that large: check that EXO_API_URL is ExoClick's API and not a page or a proxy; it is tried again on the next pass.",
    });
  }
}

/**
 * The body as text, at most `limitBytes`. Past the cap: with `cut`, the text so far; without, an
 * {@link ExoAnswerTooLargeError}. Either way the rest is not downloaded (the stream is cancelled).
 */
export async function readCapped(response: Response, limitBytes: number, what: string, cut = false): Promise<string> {
  const body = await readBodyCapped(response, limitBytes, cut);
  if (!body.complete && !cut) throw new ExoAnswerTooLargeError(what, limitBytes);
  return body.text;
}

export function isHtml(response: Response | Error): boolean {
  return response instanceof Response && (response.headers.get('content-type') ?? '').includes('text/html');
}

/** The words of an error answer: `{"message"}`, or the text as it came (a firewall's page, shortened). */
export async function words(response: Response | Error): Promise<string> {
  if (response instanceof Error) return response.message;
  const text = await readCapped(response, MAX_WORDS_BYTES, 'an error', true).catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return String(redactSecrets(body.message));
  } catch {
    // Not JSON: keep the words.
  }
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  const plain = isHtml(response) ? `an HTML page${title ? ` titled "${title}"` : ''} (a web firewall?)` : text.trim();
  return String(redactSecrets(plain.slice(0, 300)));
}

/** Above this, `X-Rate-Limit-Reset` is a time, not a count of seconds: 1e9 s is 31 years, 1e9 as a time is 2001. */
const EPOCH_SECONDS_FROM = 1e9;
/** Above this, a time in milliseconds (1e12 ms is 2001 too). */
const EPOCH_MS_FROM = 1e12;

/**
 * Milliseconds until the window resets, from `X-Rate-Limit-Reset`: the contract's seconds to wait,
 * or (as some APIs send) the reset's Unix time in seconds or milliseconds; read as seconds, a time
 * would be a wait of decades, and a past time none. Undefined when the header is absent or not a
 * number. Never negative; the caller clamps it to its ceiling.
 */
export function resetWaitMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = Number(header);
  if (!Number.isFinite(value) || value < 0) return undefined;
  if (value >= EPOCH_MS_FROM) return Math.max(0, value - now);
  if (value >= EPOCH_SECONDS_FROM) return Math.max(0, value * 1000 - now);
  return value * 1000;
}

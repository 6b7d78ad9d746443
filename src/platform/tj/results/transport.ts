import { checkApiUrl } from '../../../core/api-url.js';
import { readBodyCapped } from '../../../core/capped-body.js';
import { CreativeFlowError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { USER_AGENT } from '../../../core/product.js';
import { redactText } from '../../../core/redact.js';
import { backoff, retry, sleep } from '../../../core/retry.js';
import { ResultsKeyRefusedError } from '../../results-source.js';

/**
 * The one way to TJ's reporting API (STATS-CONTRACT.md): it owns the API key, paces the calls
 * (about one a second, as public clients do: no limit is published, but 429s happen), backs off
 * with doubling and jitter on 429, 5xx and dropped connections (every call is a read, so safe to
 * repeat), gives each request a deadline, reads answers up to a cap, and stops at once on its
 * signal. The key travels as the query's `api_key` and goes nowhere else: not into a log, not
 * into an error's words (an answer that echoes it has it cut out).
 */
export interface TjReportingTransportOptions {
  /** `TJ_API_URL`, e.g. `https://api.trafficjunky.com/api`: https, or http to this machine only (checked on construction). */
  readonly baseUrl: string;
  /** `TJ_API_KEY`: a credential, never logged. */
  readonly apiKey: string;
  readonly log: Logger;
  /** Least time between the starts of two requests: 1 s unless given (tests give 0). */
  readonly minIntervalMs?: number;
  /** The first wait after a 429, a 5xx or a dropped connection: this, then 2×, 4×…, each with jitter. */
  readonly retryBaseMs?: number;
  /** The longest one wait lasts, a `Retry-After` included: 1 minute unless given. */
  readonly maxWaitMs?: number;
  /** Tries of one call through 429s, 5xx and dropped connections before it fails: 8 unless given. */
  readonly maxAttempts?: number;
  /** A request (its answer read whole) with no end after this long is abandoned as a dropped connection: 30 s unless given. */
  readonly timeoutMs?: number;
  /** Largest answer read, in bytes: 16 MB unless given. A longer one is not read, and the call fails. */
  readonly maxBodyBytes?: number;
  /** The jitter's source (0 ≤ x < 1): `Math.random` unless given. */
  readonly random?: () => number;
}

/** TJ answered a call with an error, or with something that is not an answer: its status (0 for none) and its words. */
export class TjReportingError extends CreativeFlowError {
  constructor(
    readonly what: string,
    readonly status: number,
    readonly words: string,
  ) {
    super(`TJ's reporting API answered ${status === 0 ? 'nothing' : status} to ${what}: ${words || 'no message'}`, {
      hint: "TJ's figures are fetched again on the next pass; until then the last good ones stay. If it lasts, check TJ_API_URL and TJ's status.",
    });
  }
}

/** A call stopped by its signal (the daemon's stop): nothing of the fetch is kept. */
export class TjReportingStoppedError extends CreativeFlowError {
  constructor(what: string, cause: unknown) {
    super(`Stopped ${what} before TJ's reporting API answered`, {
      hint: 'The figures are fetched again on the next pass; the last good ones stay.',
      cause,
    });
  }
}

/** `TJ_API_URL` is not an address the API key may be sent to. */
export class TjApiUrlError extends CreativeFlowError {
  constructor(
    /** The address as given, its secrets taken out. */
    readonly url: string,
    reason: string,
  ) {
    super(`TJ_API_URL ${url} ${reason}`, {
      hint: "Set TJ_API_URL to TJ's https address (https://api.trafficjunky.com/api); plain http is taken only on this machine (localhost, 127.0.0.1, ::1).",
    });
  }
}

/** Words of an answer that refuse the key rather than the request: some refusals come with a 200 or a 400. */
const REFUSED_KEY_WORDS =
  /\b(?:invalid|wrong|unknown|missing|expired|revoked|bad)\b[^.]{0,40}\b(?:api[ _-]?key|token|key)\b|\b(?:api[ _-]?key|token)\b[^.]{0,40}\b(?:invalid|wrong|unknown|missing|expired|revoked|not valid|required)\b|\bunauthori[sz]ed\b|\bnot authori[sz]ed\b|\baccess denied\b|\bforbidden\b/i;
const DEFAULT_MIN_INTERVAL_MS = 1_000;
const DEFAULT_RETRY_BASE_MS = 1_000;
const DEFAULT_MAX_WAIT_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** An error's words are read this far and no further: 300 characters of them are kept. */
const MAX_WORDS_BYTES = 64 * 1024;

/** One request's outcome before it is judged: an answer, or no answer (a dropped connection, a deadline). */
type Sent =
  | { readonly status: number; readonly retryAfter: string | null; readonly text: string; readonly complete: boolean }
  | { readonly failure: string };

/** No answer, a 429 or a 5xx: every call is a read, so it is sent again after a pause. */
function worthAnotherTry(sent: Sent): boolean {
  return 'failure' in sent || sent.status === 429 || sent.status >= 500;
}

export class TjReportingTransport {
  private readonly base: URL;
  /** When the last request started: the next waits until the pace allows it. */
  private lastStart = Number.NEGATIVE_INFINITY;
  /** Requests sent, retries included: for the log and the benchmark. */
  requests = 0;

  /** Throws {@link TjApiUrlError} for a base URL the API key must not be sent to. */
  constructor(private readonly options: TjReportingTransportOptions) {
    const checked = checkApiUrl(options.baseUrl, 'the API key');
    if (!('url' in checked)) throw new TjApiUrlError(checked.shown, checked.reason);
    this.base = checked.url;
  }

  /**
   * GETs `path` (relative to the base, e.g. `campaigns.json`) and returns its decoded JSON. Throws
   * {@link ResultsKeyRefusedError} when the key is refused, {@link TjReportingStoppedError} when
   * the signal stops it, {@link TjReportingError} for anything else, after the retries that help.
   */
  async get(path: string, query: Readonly<Record<string, string | number>>, signal?: AbortSignal): Promise<unknown> {
    const what = `GET ${path}`;
    const sent = await retry(
      async () => {
        await this.pace(what, signal);
        return this.send(path, query, signal, what);
      },
      {
        attempts: this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        // A throw is a stop: never tried again.
        isRetryable: () => false,
        isRetryableResult: worthAnotherTry,
        backoff: (attempt, outcome) =>
          this.backoffMs(attempt, outcome.ok && !('failure' in outcome.value) ? outcome.value.retryAfter : null),
        onRetry: ({ attempt, waitMs, outcome }) => {
          const status = outcome.ok && !('failure' in outcome.value) ? outcome.value.status : 0;
          this.options.log.info(
            { what, status, attempt, waitMs },
            `TJ's reporting API answered ${status === 0 ? 'nothing' : status}; trying again after a pause`,
          );
        },
        wait: (ms) => this.wait(ms, what, signal),
      },
    );
    if ('failure' in sent) throw new TjReportingError(what, 0, sent.failure);
    // Every try answered a 429 or a 5xx: the last one's words.
    if (worthAnotherTry(sent)) throw new TjReportingError(what, sent.status, this.words(sent.text));
    // Not retried: the same request would bring the same answer.
    if (!sent.complete)
      throw new TjReportingError(
        what,
        sent.status,
        `an answer larger than ${Math.round((this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) / 1024)} KB, not read`,
      );
    return this.judge(what, sent);
  }

  /** An answer other than a 429 or a 5xx: the key refused, an error in words (some come with a 200), or the data. */
  private judge(what: string, sent: { readonly status: number; readonly text: string }): unknown {
    if (sent.status === 401 || sent.status === 403)
      throw new ResultsKeyRefusedError('tj', `${sent.status}: ${this.words(sent.text)}`);
    if (sent.status >= 300 && sent.status < 400)
      throw new TjReportingError(
        what,
        sent.status,
        'a redirect, not followed: the API key would go wherever it points',
      );
    let body: unknown;
    try {
      body = JSON.parse(sent.text);
    } catch {
      const words = this.words(sent.text);
      if (sent.status !== 200) throw this.refusalOr(what, sent.status, words);
      throw new TjReportingError(what, sent.status, `an answer that is not JSON: ${words.slice(0, 120)}`);
    }
    if (sent.status !== 200) throw this.refusalOr(what, sent.status, this.words(sent.text));
    const message = errorMessageOf(body);
    if (message !== undefined) throw this.refusalOr(what, sent.status, this.clean(message));
    return body;
  }

  private refusalOr(what: string, status: number, words: string): Error {
    return REFUSED_KEY_WORDS.test(words)
      ? new ResultsKeyRefusedError('tj', `${status}: ${words}`)
      : new TjReportingError(what, status, words);
  }

  /** One request, its answer read whole under the same deadline; a stop by the signal ends the call. */
  private async send(
    path: string,
    query: Readonly<Record<string, string | number>>,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<Sent> {
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    url.searchParams.set('api_key', this.options.apiKey);
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    this.requests += 1;
    try {
      // Not followed: the key is in the URL, and a redirect could take it to another host.
      const response = await fetch(url, {
        headers: { Accept: 'application/json', 'User-Agent': USER_AGENT },
        signal: both,
        redirect: 'manual',
      });
      const limit = response.status >= 300 ? MAX_WORDS_BYTES : (this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      const body = await readBodyCapped(response, limit, response.status >= 300);
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        text: body.text,
        complete: body.complete || response.status >= 300,
      };
    } catch (error) {
      if (signal?.aborted) throw new TjReportingStoppedError(what, signal.reason);
      if (timeout.aborted) return { failure: `no answer within ${this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` };
      const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
      return { failure: this.clean(`no answer (${(error as Error).message}${cause?.code ? `: ${cause.code}` : ''})`) };
    }
  }

  /** Waits until the pace allows the next request: about one a second unless the options say otherwise. */
  private async pace(what: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw new TjReportingStoppedError(what, signal.reason);
    const waitMs = this.lastStart + (this.options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS) - Date.now();
    if (waitMs > 0) await this.wait(waitMs, what, signal);
    this.lastStart = Date.now();
  }

  private async wait(ms: number, what: string, signal: AbortSignal | undefined): Promise<void> {
    await sleep(ms, { signal }).catch((error: unknown) => {
      throw new TjReportingStoppedError(what, signal?.reason ?? error);
    });
  }

  /** Doubling from the base, with jitter (half to all of it, so clients refused together do not return together); at least a `Retry-After`, at most the ceiling. */
  private backoffMs(attempt: number, retryAfter: string | null): number {
    const ceiling = this.options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    const jittered = backoff(attempt, {
      baseMs: this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
      maxMs: ceiling,
      jitter: 'half',
      random: this.options.random ?? Math.random,
    });
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    const asked = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 0;
    return Math.round(Math.min(ceiling, Math.max(jittered, asked)));
  }

  /** An error answer's words: its `message`, or its text, shortened; the key cut out, as an answer may echo the request. */
  private words(text: string): string {
    let words = text.trim();
    try {
      const message = errorMessageOf(JSON.parse(text));
      if (message !== undefined) words = message;
    } catch {
      // Not JSON: the text as it came.
    }
    const title = /<title>([^<]*)<\/title>/i.exec(words)?.[1]?.trim();
    if (/^<(?:!doctype|html)/i.test(words)) words = `an HTML page${title ? ` titled "${title}"` : ''}`;
    return this.clean(words.slice(0, 300));
  }

  /** The text with the key cut out, as given or as a URL encodes it, then any other credential. */
  private clean(text: string): string {
    let clean = text;
    for (const form of new Set([
      this.options.apiKey,
      encodeURIComponent(this.options.apiKey),
      new URLSearchParams({ k: this.options.apiKey }).toString().slice(2),
    ]))
      clean = clean.split(form).join('[redacted]');
    return redactText(clean);
  }
}

/**
 * The `message` of an answer that is an error, whatever its status: an object whose `message` is
 * a text and which holds no data beside it (no object or list among its values). Stats keyed by
 * ad id hold objects, lists are arrays: neither is taken for an error.
 */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.message !== 'string') return undefined;
  return Object.values(record).some((value) => typeof value === 'object' && value !== null)
    ? undefined
    : record.message;
}

import { CreativeFlowError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { backoff, sleep } from '../../core/retry.js';
import { CredentialsRefusedError } from '../uploader.js';
import { DEFAULT_MAX_BODY_BYTES, isHtml, readCapped, resetWaitMs, words } from './answers.js';
import { exoApiBase, redactedUrl } from './api-url.js';
import { EXO } from './endpoints.js';

/**
 * The one way to ExoClick's API: every call goes through it. It logs in with the API token and
 * keeps the session token until `expires_in` has run out, logs in again once on a 401, waits for
 * the rate limit's reset (on a 429, or when none remain), and retries what is safe to repeat.
 */
export interface ExoTransportOptions {
  /** `EXO_API_URL`, e.g. `https://api.exoclick.com/v2/`: https, or http to this machine only (checked on construction). */
  readonly baseUrl: string;
  /** `EXO_API_TOKEN`: a credential, never logged. */
  readonly apiToken: string | undefined;
  /** Names the product: the web firewall answers a bare client with an HTML page. */
  readonly userAgent: string;
  readonly log: Logger;
  /** Tries of a call that is safe to repeat (reads, login) after a 5xx or a dropped connection. */
  readonly retries?: number;
  /** Before each retry: this, then 2×, 4×… */
  readonly retryBaseMs?: number;
  /** A call with no answer after this long is abandoned as a dropped connection. */
  readonly timeoutMs?: number;
  /** 429s in a row before the call fails (each waited out to its reset). */
  readonly maxRateLimitWaits?: number;
  /**
   * The longest any one wait lasts, a rate-limit reset or a retry's pause: 5 minutes unless given.
   * A reset further off (a wrong header, an hour's ban) is waited this long, then the call goes on
   * and counts a further 429 against `maxRateLimitWaits`, so no call waits without end.
   */
  readonly maxWaitMs?: number;
  /** Largest answer read, in bytes: 8 MB unless given. A longer one is not read (ExoAnswerTooLargeError). */
  readonly maxBodyBytes?: number;
  /** Stops every wait and request of this transport at once (the daemon's stop): the call throws {@link ExoStoppedError}. */
  readonly signal?: AbortSignal;
}

/** A call ExoClick answered with an error: its status and its words, JSON or not. */
export class ExoApiError extends CreativeFlowError {
  constructor(
    readonly what: string,
    readonly status: number,
    readonly words: string,
  ) {
    super(`ExoClick answered ${status} to ${what}: ${words || 'no message'}`, {
      hint:
        status >= 500 || status === 403
          ? 'ExoClick may be down or its firewall may block this machine; it is tried again on the next pass.'
          : 'Check the request in the log; nothing is sent again until the cause is fixed.',
    });
  }

  /** The platform may have done the work before the fault (5xx, the firewall's page): look before sending again. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 403 || this.status === 0;
  }
}

/** A call stopped by its signal, while it waited or before its answer came: a write may have been done, so it is looked for before any resend. */
export class ExoStoppedError extends CreativeFlowError {
  constructor(what: string, cause: unknown) {
    super(`Stopped ${what} before ExoClick answered`, {
      hint: 'Nothing more is sent now; the next pass looks for what was under way before sending anything again.',
      cause,
    });
  }
}

/** The login answered a redirect: not followed, as following it would send the API token to wherever it points. */
export class ExoLoginRedirectError extends CreativeFlowError {
  constructor(baseUrl: string, status: number, location: string) {
    super(
      `ExoClick's login at ${redactedUrl(baseUrl)} answered a redirect (${status}${location ? ` to ${location}` : ''}); it was not followed, and the API token was not sent there`,
      {
        hint: "Set EXO_API_URL to the API's own address (https://api.exoclick.com/v2/), not one that forwards elsewhere.",
      },
    );
  }
}

/**
 * ExoClick's rate-limit buckets: statistics calls are counted apart from the rest
 * (STATS-CONTRACT.md), so each has its own window here, and a spent one holds back only its calls.
 */
export type ExoBucket = 'api' | 'statistics';

/** What a call may send. */
export interface ExoCall {
  readonly query?: Readonly<Record<string, string | number>>;
  readonly json?: unknown;
  readonly form?: FormData;
  /** A read, a login, or a probe no route can act on: repeated after a 5xx or a dropped connection. A write never is: the caller looks first. */
  readonly idempotent?: boolean;
  /** Stops this call's waits and request (besides the transport's own signal). */
  readonly signal?: AbortSignal;
  /** The rate-limit bucket the call counts against: 'api' unless given (the login always is). */
  readonly bucket?: ExoBucket;
}

/** Seconds an exhausted window lasts when the answer does not say. */
const DEFAULT_RESET_SECONDS = 60;
/** After a 429 that says to wait for nothing (a reset already past), still this long: an immediate resend would only be refused again. */
const MIN_429_WAIT_MS = 1_000;
/** The ceiling of every wait when the options give none. */
const DEFAULT_MAX_WAIT_MS = 5 * 60_000;
/** The session token is renewed this long before ExoClick would end it (a tenth of a short life). */
const EXPIRY_MARGIN_MS = 10_000;

export class ExoTransport {
  private token: string | undefined;
  private expiresAt = 0;
  /** Per bucket, no request of it leaves before this time: that rate-limit window is spent. */
  private readonly blockedUntil: Record<ExoBucket, number> = { api: 0, statistics: 0 };
  private readonly base: URL;
  /** Requests sent and logins attempted, for `check` and the benchmark. */
  requests = 0;
  logins = 0;

  /** A transport to a configured API (its address, token and user agent), with the caller's log, stop signal and waits. */
  static to(
    connection: { readonly apiUrl: string; readonly apiToken: string | undefined; readonly userAgent: string },
    deps: Pick<ExoTransportOptions, 'log' | 'signal' | 'retryBaseMs' | 'maxWaitMs'>,
  ): ExoTransport {
    const { log, signal, retryBaseMs, maxWaitMs } = deps;
    return new ExoTransport({
      baseUrl: connection.apiUrl,
      apiToken: connection.apiToken,
      userAgent: connection.userAgent,
      log,
      ...(signal === undefined ? {} : { signal }),
      ...(retryBaseMs === undefined ? {} : { retryBaseMs }),
      ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
    });
  }

  /** Throws {@link ExoApiUrlError} for a base URL the API token must not be sent to. */
  constructor(private readonly options: ExoTransportOptions) {
    this.base = exoApiBase(options.baseUrl);
  }

  /** Logs in now (or keeps a live session): a refused API token throws {@link CredentialsRefusedError}. */
  async connect(signal: AbortSignal | undefined = this.options.signal): Promise<void> {
    if (!this.token || Date.now() >= this.expiresAt) await this.login(signal);
  }

  /** Calls the API and returns the decoded JSON answer. */
  async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, call: ExoCall = {}): Promise<T> {
    const what = `${method} ${path}`;
    const signal = this.signalOf(call);
    if (signal?.aborted) throw new ExoStoppedError(what, signal.reason);
    await this.connect(signal);
    let reloggedIn = false;
    for (let attempt = 0, rateLimited = 0; ;) {
      const response = await this.send(method, path, call, signal).catch((error: unknown) =>
        this.unlessStopped(error, what, signal),
      );
      if (response instanceof Error) {
        if (!call.idempotent || attempt >= (this.options.retries ?? 3))
          throw new ExoApiError(what, 0, `no answer (${response.message})`);
        await this.pause(this.backoffMs(attempt++), what, signal);
        continue;
      }
      if (response.status === 429) {
        if (++rateLimited > (this.options.maxRateLimitWaits ?? 10))
          throw new ExoApiError(what, 429, this.withoutSecrets(await words(response)));
        // Not done by ExoClick: sent again once the window resets, whatever the call.
        await response.body?.cancel().catch(() => undefined);
        continue;
      }
      if (response.status === 401 && !reloggedIn) {
        reloggedIn = true;
        await response.body?.cancel().catch(() => undefined);
        await this.login(signal);
        continue;
      }
      if (response.ok) return this.json<T>(response, what, signal);
      const error = new ExoApiError(what, response.status, this.withoutSecrets(await words(response)));
      if (!error.transient || !call.idempotent || attempt >= (this.options.retries ?? 3)) throw error;
      await this.pause(this.backoffMs(attempt++), what, signal);
    }
  }

  private async login(signal: AbortSignal | undefined): Promise<void> {
    const token = this.options.apiToken;
    if (!token)
      throw new CredentialsRefusedError(
        'EXO_API_TOKEN is not set, and PLATFORMS sends to ExoClick',
        'Make a token in ExoClick under Profile › API Tokens and put it in .env as EXO_API_TOKEN (or run `creative-flow setup`), or leave exoclick out of PLATFORMS.',
      );
    this.token = undefined;
    for (let attempt = 0, rateLimited = 0; ; attempt += 1) {
      this.logins += 1;
      const response = await this.send('POST', EXO.login, { json: { api_token: token } }, signal, false).catch(
        (error: unknown) => this.unlessStopped(error, 'the login', signal),
      );
      if (response instanceof Response && response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        throw new ExoLoginRedirectError(
          this.base.href,
          response.status,
          originOf(response.headers.get('location'), this.base),
        );
      }
      const transient =
        response instanceof Error || response.status >= 500 || response.status === 429 || isHtml(response);
      if (!transient && response.ok) {
        const body = await this.json<{ token?: string; expires_in?: number }>(response, 'the login', signal);
        if (!body.token) throw new ExoApiError('the login', response.status, 'no token in the answer');
        this.token = body.token;
        const lifeMs = (body.expires_in ?? 3600) * 1000;
        this.expiresAt = Date.now() + lifeMs - Math.min(EXPIRY_MARGIN_MS, lifeMs / 10);
        return;
      }
      if (!transient) {
        // Trying the same token again cannot help, and may lock the account: said once, not retried.
        throw new CredentialsRefusedError(
          `ExoClick refused the API token (${response.status}: ${this.withoutSecrets(await words(response))})`,
          'Make a new token in ExoClick under Profile › API Tokens and set EXO_API_TOKEN in .env; until then uploads to ExoClick wait, and the other platforms go on.',
        );
      }
      if (
        response instanceof Response &&
        response.status === 429 &&
        ++rateLimited <= (this.options.maxRateLimitWaits ?? 10)
      ) {
        await response.body?.cancel().catch(() => undefined);
        continue;
      }
      if (attempt >= (this.options.retries ?? 3))
        throw new ExoApiError(
          'the login',
          response instanceof Error ? 0 : response.status,
          this.withoutSecrets(response instanceof Error ? `no answer (${response.message})` : await words(response)),
        );
      if (response instanceof Response) await response.body?.cancel().catch(() => undefined);
      await this.pause(this.backoffMs(attempt), 'the login', signal);
    }
  }

  /** ExoClick's words with our tokens taken out: an answer may echo the request. */
  private withoutSecrets(text: string): string {
    let clean = text;
    for (const secret of [this.options.apiToken, this.token])
      if (secret) clean = clean.split(secret).join('[redacted]');
    return clean;
  }

  /**
   * One request, after the rate-limit window allows it; the window is read off every answer. An
   * authorized call follows redirects (fetch drops the `Authorization` header on one to another
   * host); the login does not, as its body is the API token and a 307 would carry it along.
   */
  private async send(
    method: string,
    path: string,
    call: ExoCall,
    signal: AbortSignal | undefined,
    authorized = true,
  ): Promise<Response> {
    const bucket = call.bucket ?? 'api';
    const waitMs = this.blockedUntil[bucket] - Date.now();
    if (waitMs > 0) {
      this.options.log.info({ waitMs, bucket }, 'ExoClick rate limit reached; waiting for its reset');
      await this.pause(waitMs, `${method} ${path}`, signal);
    }
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, Accept: 'application/json' };
    if (authorized && this.token) headers.Authorization = `Bearer ${this.token}`;
    if (call.json !== undefined) headers['Content-Type'] = 'application/json';
    this.requests += 1;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 120_000);
    const response = await fetch(url, {
      method,
      headers,
      body: call.form ?? (call.json === undefined ? undefined : JSON.stringify(call.json)),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: authorized ? 'follow' : 'manual',
    });
    this.readRateLimit(response, bucket);
    return response;
  }

  /** The answer's JSON, read up to the body cap; a cut or undecodable answer is an error of this call, a stop a stop. */
  private async json<T>(response: Response, what: string, signal: AbortSignal | undefined): Promise<T> {
    const text = await readCapped(response, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, what).catch(
      (error: unknown) => {
        const cut = this.unlessStopped(error, what, signal);
        throw cut instanceof CreativeFlowError ? cut : new ExoApiError(what, 0, `the answer was cut (${cut.message})`);
      },
    );
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ExoApiError(
        what,
        response.status,
        `an answer that is not JSON: ${this.withoutSecrets(text.slice(0, 120))}`,
      );
    }
  }

  private readRateLimit(response: Response, bucket: ExoBucket): void {
    const remaining = Number(response.headers.get(EXO.rateLimit.remaining) ?? Number.NaN);
    if (response.status !== 429 && remaining !== 0) return;
    const resetMs = resetWaitMs(response.headers.get(EXO.rateLimit.reset)) ?? DEFAULT_RESET_SECONDS * 1000;
    const waitMs = response.status === 429 ? Math.max(MIN_429_WAIT_MS, resetMs) : resetMs;
    // Never sooner than the reset (a request before it only counts against us), never longer than the ceiling.
    this.blockedUntil[bucket] = Math.max(this.blockedUntil[bucket], Date.now() + this.clamped(waitMs));
  }

  /** A wait, at most the ceiling, that the call's signal ends at once. */
  private async pause(ms: number, what: string, signal: AbortSignal | undefined): Promise<void> {
    await sleep(this.clamped(ms), { signal }).catch((error: unknown) => {
      throw new ExoStoppedError(what, signal?.reason ?? error);
    });
  }

  private clamped(ms: number): number {
    const ceiling = this.options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    if (ms > ceiling)
      this.options.log.warn(
        { askedMs: Math.round(ms), ceilingMs: ceiling },
        'ExoClick asked for a longer wait than the ceiling; waiting the ceiling',
      );
    return Math.min(Math.max(0, ms), ceiling);
  }

  /** The pause before retry number `retry + 1`: the base, then 2×, 4×… (each clamped by {@link pause}). */
  private backoffMs(retry: number): number {
    return backoff(retry + 1, { baseMs: this.options.retryBaseMs ?? 500 });
  }

  /** The call's signal and the transport's, as one. */
  private signalOf(call: ExoCall): AbortSignal | undefined {
    const signals = [this.options.signal, call.signal].filter((signal): signal is AbortSignal => signal !== undefined);
    return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  }

  /** A failed request as an error to handle, unless the signal stopped it: then the call ends with {@link ExoStoppedError}. */
  private unlessStopped(error: unknown, what: string, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) throw new ExoStoppedError(what, signal.reason);
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Where a redirect pointed, by its origin only: its path or query may carry anything. */
function originOf(location: string | null, base: URL): string {
  if (!location) return '';
  try {
    return new URL(location, base).origin;
  } catch {
    return 'an address that does not parse';
  }
}

import { setTimeout as delay } from 'node:timers/promises';
import { CreativeFlowError } from '../../core/errors.js';
import { redactSecrets, type Logger } from '../../core/logger.js';
import { CredentialsRefusedError } from '../uploader.js';
import { EXO } from './endpoints.js';

/**
 * The one way to ExoClick's API: every call goes through it. It logs in with the API token and
 * keeps the session token until `expires_in` has run out, logs in again once on a 401, waits for
 * the rate limit's reset (on a 429, or when none remain), and retries what is safe to repeat.
 */
export interface ExoTransportOptions {
  /** `EXO_API_URL`, e.g. `https://api.exoclick.com/v2/`. */
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
}

/** A call ExoClick answered with an error: its status and its words, JSON or not. */
export class ExoApiError extends CreativeFlowError {
  constructor(
    readonly what: string,
    readonly status: number,
    readonly words: string,
  ) {
    super(`ExoClick answered ${status} to ${what}: ${words || 'no message'}`, { hint: status >= 500 || status === 403 ? 'ExoClick may be down or its firewall may block this machine; it is tried again on the next pass.' : 'Check the request in the log; nothing is sent again until the cause is fixed.' });
  }

  /** The platform may have done the work before the fault (5xx, the firewall's page): look before sending again. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 403 || this.status === 0;
  }
}

/** What a call may send. */
export interface ExoCall {
  readonly query?: Readonly<Record<string, string | number>>;
  readonly json?: unknown;
  readonly form?: FormData;
  /** A read, a login, or a probe no route can act on: repeated after a 5xx or a dropped connection. A write never is: the caller looks first. */
  readonly idempotent?: boolean;
}

/** Seconds an exhausted window lasts when the answer does not say. */
const DEFAULT_RESET_SECONDS = 60;
/** The session token is renewed this long before ExoClick would end it (a tenth of a short life). */
const EXPIRY_MARGIN_MS = 10_000;

export class ExoTransport {
  private token: string | undefined;
  private expiresAt = 0;
  /** No request leaves before this time: the rate-limit window is spent. */
  private blockedUntil = 0;
  /** Requests sent and logins attempted, for `check` and the benchmark. */
  requests = 0;
  logins = 0;

  constructor(private readonly options: ExoTransportOptions) {}

  /** Logs in now (or keeps a live session): a refused API token throws {@link CredentialsRefusedError}. */
  async connect(): Promise<void> {
    if (!this.token || Date.now() >= this.expiresAt) await this.login();
  }

  /** Calls the API and returns the decoded JSON answer. */
  async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, call: ExoCall = {}): Promise<T> {
    await this.connect();
    let reloggedIn = false;
    for (let attempt = 0, rateLimited = 0; ; ) {
      const response = await this.send(method, path, call, true).catch((error: unknown) => error as Error);
      if (response instanceof Error) {
        if (!call.idempotent || attempt >= (this.options.retries ?? 3)) throw new ExoApiError(`${method} ${path}`, 0, `no answer (${response.message})`);
        await delay((this.options.retryBaseMs ?? 500) * 2 ** attempt++);
        continue;
      }
      if (response.status === 429) {
        if (++rateLimited > (this.options.maxRateLimitWaits ?? 10)) throw new ExoApiError(`${method} ${path}`, 429, this.withoutSecrets(await words(response)));
        // Not done by ExoClick: sent again once the window resets, whatever the call.
        continue;
      }
      if (response.status === 401 && !reloggedIn) {
        reloggedIn = true;
        await this.login();
        continue;
      }
      if (response.ok) return (await response.json()) as T;
      const error = new ExoApiError(`${method} ${path}`, response.status, this.withoutSecrets(await words(response)));
      if (!error.transient || !call.idempotent || attempt >= (this.options.retries ?? 3)) throw error;
      await delay((this.options.retryBaseMs ?? 500) * 2 ** attempt++);
    }
  }

  private async login(): Promise<void> {
    const token = this.options.apiToken;
    if (!token) throw new CredentialsRefusedError('EXO_API_TOKEN is not set, and PLATFORMS sends to ExoClick', 'Make a token in ExoClick under Profile › API Tokens and put it in .env as EXO_API_TOKEN (or run `creative-flow setup`), or leave exoclick out of PLATFORMS.');
    this.token = undefined;
    for (let attempt = 0, rateLimited = 0; ; attempt += 1) {
      this.logins += 1;
      const response = await this.send('POST', EXO.login, { json: { api_token: token } }, false).catch((error: unknown) => error as Error);
      const transient = response instanceof Error || response.status >= 500 || response.status === 429 || isHtml(response);
      if (!transient && response.ok) {
        const body = (await response.json()) as { token?: string; expires_in?: number };
        if (!body.token) throw new ExoApiError('the login', response.status, 'no token in the answer');
        this.token = body.token;
        const lifeMs = (body.expires_in ?? 3600) * 1000;
        this.expiresAt = Date.now() + lifeMs - Math.min(EXPIRY_MARGIN_MS, lifeMs / 10);
        return;
      }
      if (!transient) {
        // Trying the same token again cannot help, and may lock the account: said once, not retried.
        throw new CredentialsRefusedError(`ExoClick refused the API token (${response.status}: ${this.withoutSecrets(await words(response))})`, 'Make a new token in ExoClick under Profile › API Tokens and set EXO_API_TOKEN in .env; until then uploads to ExoClick wait, and the other platforms go on.');
      }
      if (response instanceof Response && response.status === 429 && ++rateLimited <= (this.options.maxRateLimitWaits ?? 10)) continue;
      if (attempt >= (this.options.retries ?? 3)) throw new ExoApiError('the login', response instanceof Error ? 0 : response.status, this.withoutSecrets(response instanceof Error ? `no answer (${response.message})` : await words(response)));
      await delay((this.options.retryBaseMs ?? 500) * 2 ** attempt);
    }
  }

  /** ExoClick's words with our tokens taken out: an answer may echo the request. */
  private withoutSecrets(text: string): string {
    let clean = text;
    for (const secret of [this.options.apiToken, this.token]) if (secret) clean = clean.split(secret).join('[redacted]');
    return clean;
  }

  /** One request, after the rate-limit window allows it; the window is read off every answer. */
  private async send(method: string, path: string, call: ExoCall, authorized: boolean): Promise<Response> {
    const waitMs = this.blockedUntil - Date.now();
    if (waitMs > 0) {
      this.options.log.info({ waitMs }, 'ExoClick rate limit reached; waiting for its reset');
      await delay(waitMs);
    }
    const url = new URL(path, this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, Accept: 'application/json' };
    if (authorized && this.token) headers.Authorization = `Bearer ${this.token}`;
    if (call.json !== undefined) headers['Content-Type'] = 'application/json';
    this.requests += 1;
    const response = await fetch(url, {
      method,
      headers,
      body: call.form ?? (call.json === undefined ? undefined : JSON.stringify(call.json)),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
    });
    this.readRateLimit(response);
    return response;
  }

  private readRateLimit(response: Response): void {
    const remaining = Number(response.headers.get(EXO.rateLimit.remaining) ?? Number.NaN);
    const reset = Number(response.headers.get(EXO.rateLimit.reset) ?? Number.NaN);
    const resetMs = (Number.isFinite(reset) && reset >= 0 ? reset : DEFAULT_RESET_SECONDS) * 1000;
    // Never sooner than the reset: a request before it only counts against us.
    if (response.status === 429 || remaining === 0) this.blockedUntil = Math.max(this.blockedUntil, Date.now() + resetMs);
  }
}

function isHtml(response: Response | Error): boolean {
  return response instanceof Response && (response.headers.get('content-type') ?? '').includes('text/html');
}

/** The words of an error answer: `{"message"}`, or the text as it came (a firewall's page, shortened). */
async function words(response: Response | Error): Promise<string> {
  if (response instanceof Error) return response.message;
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return String(redactSecrets(body.message));
  } catch {
    // Not JSON: keep the words.
  }
  const plain = isHtml(response) ? `an HTML page${/<title>([^<]*)<\/title>/i.exec(text)?.[1] ? ` titled "${/<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim()}"` : ''} (a web firewall?)` : text.trim();
  return String(redactSecrets(plain.slice(0, 300)));
}

import type { ServerResponse } from 'node:http';
import type { ExoSimulatorOptions } from './options.js';

/**
 * ExoClick's rate limit as the contract gives it: a fixed window of `limit` requests, the headers
 * on every answer, 429 past the limit. It also counts the requests a client sends after a 429
 * before that window reset (`tooEarly`): the contract says to wait for the reset, and a client
 * that does not is what a test must catch.
 */
export class RateLimiter {
  private windowStart: number | undefined;
  private used = 0;
  /** End of the window in which the last 429 was answered: requests before it are too early. */
  private blockedUntil: number | undefined;
  private early = 0;

  constructor(
    private readonly options: () => ExoSimulatorOptions,
    /** The bucket's window: every route but statistics by default; the statistics route has its own limiter (STATS-CONTRACT.md). */
    private readonly windowOf: (options: ExoSimulatorOptions) => { limit: number; windowSeconds: number } = (options) =>
      options.rateLimit,
  ) {}

  get tooEarly(): number {
    return this.early;
  }

  /** Counts one request and sets the headers; false when it is over the limit (the caller answers 429). */
  admit(res: ServerResponse, now = Date.now()): boolean {
    this.roll(now);
    if (this.blockedUntil !== undefined && now < this.blockedUntil) this.early += 1;
    this.used += 1;
    const over = this.used > this.windowOf(this.options()).limit;
    if (over) this.blockedUntil = this.windowEnd();
    this.setHeaders(res, now);
    return over;
  }

  /** A planned 'rate-limited' fault: the window counts as used up, as if the limit had been reached by this request. */
  exhaust(res: ServerResponse, now = Date.now()): void {
    this.roll(now);
    this.used = Math.max(this.used, this.windowOf(this.options()).limit);
    this.blockedUntil = this.windowEnd();
    this.setHeaders(res, now);
  }

  /**
   * A struck 429: the client is told to wait `seconds` rather than for the window's end (a sweep
   * point must stay short), and a request sooner is counted too early, as after any 429.
   */
  refuseFor(res: ServerResponse, seconds: number, now = Date.now()): void {
    this.blockedUntil = Math.max(this.blockedUntil ?? 0, now + seconds * 1000);
    res.setHeader('X-Rate-Limit-Limit', String(this.windowOf(this.options()).limit));
    res.setHeader('X-Rate-Limit-Remaining', '0');
    res.setHeader('X-Rate-Limit-Reset', this.resetHeader(seconds, now));
  }

  /** The headers of the current window without counting a request: for the firewall's page, which the API never saw. */
  peek(res: ServerResponse, now = Date.now()): void {
    if (this.windowStart !== undefined && now >= this.windowEnd()) this.windowStart = undefined;
    this.setHeaders(res, now);
  }

  private roll(now: number): void {
    if (this.windowStart !== undefined && now < this.windowEnd()) return;
    this.windowStart = now;
    this.used = 0;
  }

  private windowEnd(): number {
    return (this.windowStart ?? Date.now()) + this.windowOf(this.options()).windowSeconds * 1000;
  }

  private setHeaders(res: ServerResponse, now: number): void {
    const { limit, windowSeconds } = this.windowOf(this.options());
    const running = this.windowStart !== undefined;
    // Whole seconds, rounded up, and at least 1 while a window runs: a client that waits this long is never early.
    const reset = running ? Math.max(1, Math.ceil((this.windowEnd() - now) / 1000)) : windowSeconds;
    res.setHeader('X-Rate-Limit-Limit', String(limit));
    res.setHeader('X-Rate-Limit-Remaining', String(running ? Math.max(0, limit - this.used) : limit));
    res.setHeader('X-Rate-Limit-Reset', this.resetHeader(reset, now));
  }

  /** Seconds to wait, or (`rateLimitReset: 'epoch'`) the Unix second they end at, rounded up: a client that waits until it is never early. */
  private resetHeader(seconds: number, now: number): string {
    return String(this.options().rateLimitReset === 'epoch' ? Math.ceil((now + seconds * 1000) / 1000) : seconds);
  }
}

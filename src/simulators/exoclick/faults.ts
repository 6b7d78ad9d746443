import type { IncomingMessage, ServerResponse } from 'node:http';
import { html, json } from '../http.js';
import type { ExoCounters } from './counters.js';
import type { ExoSimulatorOptions, ExoStrike, ExoUploadFault } from './options.js';
import type { RateLimiter } from './rate-limit.js';
import type { ExoSessions } from './sessions.js';

/** What a web firewall in front of an API answers a client it does not like: HTML, not JSON. */
export const FIREWALL_PAGE =
  '<!DOCTYPE html><html><head><title>Access denied</title></head><body><h1>Access denied</h1>' +
  '<p>This request was blocked by the security service protecting this website.</p><p>Ray ID: 0000sim</p></body></html>';

/**
 * The fates of a stream of requests: a plan first (a test's faults, the same whatever else runs),
 * then, if given, seeded random rates. A new plan set with `configure` starts from its first entry.
 */
export class FaultPlan {
  private plan: readonly ExoUploadFault[] | undefined;
  private served = 0;

  constructor(
    private readonly options: () => ExoSimulatorOptions,
    private readonly planOf: (options: ExoSimulatorOptions) => readonly ExoUploadFault[],
    private readonly random?: () => number,
  ) {}

  next(): ExoUploadFault {
    const options = this.options();
    const plan = this.planOf(options);
    if (plan !== this.plan) {
      this.plan = plan;
      this.served = 0;
    }
    const planned = plan[this.served];
    this.served += 1;
    if (planned !== undefined || !this.random) return planned ?? 'ok';
    if (this.random() < options.errorRate) return 'server-error';
    return this.random() < options.dropRate ? 'dropped-after-kept' : 'ok';
  }
}

/** Serves the faults that come before anything is kept; true when it answered. */
export function serveFaultBeforeKeeping(
  res: ServerResponse,
  fate: ExoUploadFault,
  counters: ExoCounters,
  limiter: RateLimiter,
): boolean {
  switch (fate) {
    case 'server-error': {
      counters.faults.serverErrors += 1;
      // Alternating, so a client sees both: a 500 from the API and a 503 from what sits before it, each with words, not JSON.
      const [status, text] =
        counters.faults.serverErrors % 2 === 1
          ? [500, 'Internal Server Error']
          : [503, 'Service Temporarily Unavailable'];
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
      return true;
    }
    case 'firewall':
      serveFirewall(res, counters);
      return true;
    case 'rate-limited':
      counters.faults.rateLimited += 1;
      limiter.exhaust(res);
      json(res, 429, { message: 'Too many requests. Wait for X-Rate-Limit-Reset seconds.' });
      return true;
    default:
      return false;
  }
}

/** A 'dropped-after-kept' fate, once the thing is kept: the connection dies with no answer at all. */
export function dropAfterKeeping(res: ServerResponse, counters: ExoCounters): void {
  counters.faults.dropped += 1;
  res.socket?.destroy();
}

export function serveFirewall(res: ServerResponse, counters: ExoCounters): void {
  counters.faults.firewall += 1;
  html(res, 403, FIREWALL_PAGE);
}

/**
 * Numbers the `/v2/` requests from 1 as they arrive and finds the one the options' strike is
 * for: a fault sweep runs a flow once to count its requests, then strikes each number in turn.
 */
export class RequestStrikes {
  private numbered = 0;

  constructor(private readonly options: () => ExoSimulatorOptions) {}

  /** `/v2/` requests so far. */
  get count(): number {
    return this.numbered;
  }

  /** Numbers one request; the strike planned for it, if any. */
  next(): ExoStrike | undefined {
    this.numbered += 1;
    const { strike } = this.options();
    return strike?.at === this.numbered ? strike : undefined;
  }
}

/**
 * Serves a struck fault. True once it answered (a 5xx or a 429, nothing done); false when the
 * request goes on, its sessions ended first (so it answers 401) or its answer to be replaced by a
 * dropped connection.
 */
export function serveStrike(
  req: IncomingMessage,
  res: ServerResponse,
  strike: ExoStrike,
  deps: { counters: ExoCounters; limiter: RateLimiter; sessions: ExoSessions },
): boolean {
  switch (strike.fault) {
    case 'server-error':
      req.resume();
      deps.limiter.peek(res);
      return serveFaultBeforeKeeping(res, 'server-error', deps.counters, deps.limiter);
    case 'rate-limited':
      req.resume();
      deps.counters.faults.rateLimited += 1;
      deps.limiter.refuseFor(res, strike.resetSeconds ?? 1);
      json(res, 429, { message: 'Too many requests. Wait for X-Rate-Limit-Reset seconds.' });
      return true;
    case 'session-expired':
      deps.sessions.endAll();
      return false;
    case 'dropped-after-kept':
      dropInsteadOfAnswering(res, deps.counters);
      return false;
  }
}

/**
 * The request is handled as usual, and the connection dies where its answer would be written:
 * whatever it kept stays kept, as when a connection drops between the server's work and its
 * answer. Every route answers through `writeHead`, so that is where the answer is stopped.
 */
function dropInsteadOfAnswering(res: ServerResponse, counters: ExoCounters): void {
  let dropped = false;
  // Called again by `end`, the real headers never having been written: the drop is counted once.
  const drop = (): ServerResponse => {
    if (!dropped) dropAfterKeeping(res, counters);
    dropped = true;
    return res;
  };
  res.writeHead = drop;
}

import type { ServerResponse } from 'node:http';
import { html, json } from '../http.js';
import type { ExoCounters } from './counters.js';
import type { ExoSimulatorOptions, ExoUploadFault } from './options.js';
import type { RateLimiter } from './rate-limit.js';

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
export function serveFaultBeforeKeeping(res: ServerResponse, fate: ExoUploadFault, counters: ExoCounters, limiter: RateLimiter): boolean {
  switch (fate) {
    case 'server-error': {
      counters.faults.serverErrors += 1;
      // Alternating, so a client sees both: a 500 from the API and a 503 from what sits before it, each with words, not JSON.
      const [status, text] = counters.faults.serverErrors % 2 === 1 ? [500, 'Internal Server Error'] : [503, 'Service Temporarily Unavailable'];
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

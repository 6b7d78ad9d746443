import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/config.js';
import { ConfigError } from '../../../core/errors.js';
import { createLogger, type Logger } from '../../../core/logger.js';
import type { SimReportingOptions } from '../../../simulators/tj/reporting-options.js';
import type { RunningSimulator } from '../../../simulators/tj/server.js';
import { tempRoot, waitFor, within } from '../../../test/fixtures.js';
import { testSimulator } from '../../../test/simulated-tj.js';
import { ResultsKeyRefusedError, type CreativeIds } from '../../results-source.js';
import { TjResults, type TjResultsOptions } from './tj-results.js';
import { errorMessageOf, TjApiUrlError, TjReportingError, TjReportingStoppedError } from './transport.js';

/** Issue 29, item 1 (TJ): pacing, backoff on 429 and 5xx, a refused key said and never leaked, stops and deadlines, capped answers, https only. */

const KEY = 'sim-tj-api-key-7f3a9c';
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A logger whose JSON lines are kept, to look for the key in. */
function capture(): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger({ level: 'debug', destination }) };
}

async function start(reporting: Partial<SimReportingOptions> = {}): Promise<RunningSimulator> {
  const sim = await testSimulator({ reporting: { apiKey: KEY, ...reporting } });
  closers.push(() => sim.close());
  // Three campaigns of two ads each, every ad ours, figures on two days.
  for (const campaign of ['1', '2', '3']) {
    sim.reporting.seedCampaign({ id: campaign, name: `C${campaign}` });
    for (const n of [1, 2]) {
      const adId = `${campaign}${n}`;
      sim.reporting.seedAd(campaign, { id: adId, name: `Ad_ID-0000000${n}` });
      for (const day of ['2026-03-01', '2026-03-02'])
        sim.reporting.setAdStats(adId, day, { impressions: 100, clicks: 10, conversions: 1, cost: 0.1 });
    }
  }
  return sim;
}

function results(sim: RunningSimulator, log: Logger, options: Partial<TjResultsOptions> = {}): TjResults {
  return new TjResults({
    apiUrl: sim.apiUrl,
    apiKey: KEY,
    log,
    minIntervalMs: 0,
    retryBaseMs: 5,
    maxWaitMs: 100,
    ...options,
  });
}

const ids: CreativeIds = {
  isOurs: (uniqueId) => uniqueId === 'ID-00000001' || uniqueId === 'ID-00000002',
  uniqueIdOfExoFile: () => undefined,
};
const DAYS = ['2026-03-01', '2026-03-02'];
/** Each creative is in three ads (one per campaign) with 100 impressions and $0.10 a day. */
const EXPECTED = DAYS.flatMap((day) =>
  ['ID-00000001', 'ID-00000002'].map((uniqueId) => ({
    uniqueId,
    day,
    impressions: 300,
    clicks: 30,
    conversions: 3,
    cost: 0.3,
  })),
);

describe('TJ reporting transport', () => {
  it('backs off through a storm of 429s and 5xx, and the figures are exact, each day read once, the key in no log line', async () => {
    const sim = await start({ rateLimitRate: 0.4, serverErrorRate: 0.15 });
    sim.reporting.configure({ rateLimitNext: 6, serverErrorNext: 3 });
    const { lines, log } = capture();
    const source = results(sim, log, { maxAttempts: 30 });
    expect((await source.fetchDays(DAYS, ids)).rows).toEqual(EXPECTED);
    const state = sim.reporting.state;
    expect(state.rateLimited).toBeGreaterThanOrEqual(6);
    expect(state.serverErrors).toBeGreaterThanOrEqual(3);
    // One good answer per campaign and day: a retried call is not read twice.
    expect(state.served).toEqual({ campaigns: 1, ads: 3, stats: 6 });
    expect(source.requests).toBe(state.requests);
    expect(lines.filter((line) => line.includes('answered 429'))).toHaveLength(state.rateLimited);
    expect(lines.join('')).not.toContain(KEY);
  });

  it('doubles each wait, with jitter between half and all of it, and takes a longer Retry-After up to the ceiling', async () => {
    const sim = await start();
    const waits = async (
      random: number,
      retryAfterSeconds?: number,
      refused = 4,
      maxWaitMs = 1_000,
    ): Promise<number[]> => {
      sim.reporting.configure({ rateLimitNext: refused, retryAfterSeconds });
      const { lines, log } = capture();
      await results(sim, log, { retryBaseMs: 8, maxWaitMs, random: () => random }).fetchDays(['2026-03-01'], ids);
      return lines
        .map((line) => JSON.parse(line) as { waitMs?: number })
        .flatMap((line) => (line.waitMs === undefined ? [] : [line.waitMs]));
    };
    expect(await waits(0)).toEqual([4, 8, 16, 32]);
    expect(await waits(0.999999)).toEqual([8, 16, 32, 64]);
    expect(await waits(0, 1, 1, 5_000)).toEqual([1_000]);
    expect(await waits(0, 1, 2, 50)).toEqual([50, 50]);
  });

  it('paces its calls: no two start closer than the interval', async () => {
    const sim = await start();
    const startedAt = Date.now();
    await results(sim, capture().log, { minIntervalMs: 100 }).fetchDays(['2026-03-01'], ids);
    // Seven calls: the campaigns, three ads lists, three stats.
    expect(sim.reporting.state.requests).toBe(7);
    // The client paces the starts; their arrivals at the server may drift by a few ms either way.
    const at = sim.reporting.state.calls.map((call) => call.at);
    expect(Math.min(...at.slice(1).map((time, i) => time - (at[i] ?? 0)))).toBeGreaterThanOrEqual(80);
    // A timer may fire a millisecond before Date.now() says it is due.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(6 * 99);
  });

  for (const wrongKeyStatus of [401, 403, 200] as const) {
    it(`throws ResultsKeyRefusedError for a wrong key answered ${wrongKeyStatus}, at once, the key in neither the error nor the log`, async () => {
      const sim = await start({ wrongKeyStatus });
      const { lines, log } = capture();
      const wrongKey = 'wrong-key-5e1d0c2b';
      const error = await results(sim, log, { apiKey: wrongKey })
        .fetchDays(DAYS, ids)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ResultsKeyRefusedError);
      const refused = error as ResultsKeyRefusedError;
      expect(refused.plain).toMatch(/TJ's reporting API refused the key \(\d+: Invalid API key\).*TJ_API_KEY/);
      // Not tried again: a refused key stays refused until it changes.
      expect(sim.reporting.state.requests).toBe(1);
      log.error({ err: refused }, refused.plain);
      for (const text of [
        refused.message,
        refused.plain,
        JSON.stringify(refused),
        String(refused.stack),
        lines.join(''),
      ]) {
        expect(text).not.toContain(wrongKey);
        expect(text).not.toContain(KEY);
      }
    });
  }

  it('stops at once on its signal, during a call and during a backoff', async () => {
    const slow = await start({ latencyMs: 20_000 });
    const controller = new AbortController();
    const fetching = results(slow, capture().log).fetchDays(DAYS, ids, controller.signal);
    // Stopped once the simulator holds the call: it answers only after 20 s.
    await waitFor(() => slow.reporting.state.requests >= 1, 10_000, 'the first call in the simulator', 10);
    controller.abort();
    await expect(within(fetching, 2_000, 'the stop of a fetch under way')).rejects.toBeInstanceOf(
      TjReportingStoppedError,
    );

    const refusing = await start();
    refusing.reporting.configure({ rateLimitNext: 1_000 });
    const waiting = new AbortController();
    const told = capture();
    const backingOff = results(refusing, told.log, { retryBaseMs: 60_000, maxWaitMs: 60_000 }).fetchDays(
      DAYS,
      ids,
      waiting.signal,
    );
    // Stopped once the client has said it waits: it would wait a minute.
    await waitFor(
      () => told.lines.some((line) => line.includes('trying again after a pause')),
      10_000,
      'the backoff to begin',
      10,
    );
    waiting.abort();
    await expect(within(backingOff, 2_000, 'the stop of a back-off')).rejects.toBeInstanceOf(TjReportingStoppedError);
    const aborted = AbortSignal.abort();
    await expect(results(refusing, capture().log).fetchDays(DAYS, ids, aborted)).rejects.toBeInstanceOf(
      TjReportingStoppedError,
    );
  });

  it('gives each call a deadline, and fails once the tries are spent', async () => {
    const sim = await start({ latencyMs: 20_000 });
    const error = await within(
      results(sim, capture().log, { timeoutMs: 150, maxAttempts: 2 }).fetchDays(DAYS, ids),
      5_000,
      'the fetch given up after its two timed-out tries',
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TjReportingError);
    expect((error as TjReportingError).message).toMatch(
      /answered nothing to GET campaigns\.json: no answer within 150 ms/,
    );
    expect(sim.reporting.state.requests).toBe(2);
  });

  it('does not read an answer past its cap', async () => {
    const sim = await start();
    for (let i = 0; i < 200; i += 1)
      sim.reporting.seedCampaign({ id: String(1000 + i), name: `A campaign with a long name, number ${i}` });
    await expect(results(sim, capture().log, { maxBodyBytes: 4_096 }).fetchDays(DAYS, ids)).rejects.toThrow(
      /answered 200 to GET campaigns\.json: an answer larger than 4 KB, not read/,
    );
  });

  it('takes an answer whose body is only a message for an error, whatever its status', () => {
    expect(errorMessageOf({ message: 'Campaign not found' })).toBe('Campaign not found');
    expect(errorMessageOf({ message: 'Campaign not found', code: 404 })).toBe('Campaign not found');
    expect(errorMessageOf({ message: 'note', '11': { impressions: '1' } })).toBeUndefined();
    expect(errorMessageOf([])).toBeUndefined();
    expect(errorMessageOf({})).toBeUndefined();
  });

  it('sends the key only over https, or plain http to this machine, and never echoes it in the refusal', async () => {
    const make = (apiUrl: string) => () => new TjResults({ apiUrl, apiKey: KEY, log: capture().log });
    for (const good of ['https://api.trafficjunky.com/api', 'http://127.0.0.1:4780/api', 'http://localhost:4780/api'])
      expect(make(good), good).not.toThrow();
    for (const bad of [
      'http://api.trafficjunky.com/api',
      'ftp://api.trafficjunky.com/api',
      'https://bob:hunter2@api.trafficjunky.com/api',
      'http://api.trafficjunky.com/api?api_key=url-secret',
    ]) {
      expect(make(bad), bad).toThrow(TjApiUrlError);
      expect(make(bad), bad).toThrow(/^TJ_API_URL \S+ /);
      expect(make(bad), bad).not.toThrow(/hunter2|url-secret/);
    }
    const root = await tempRoot();
    expect((await loadConfig({ root, env: {} })).tjApiUrl).toBe('https://api.trafficjunky.com/api');
    expect((await loadConfig({ root, env: { TJ_API_KEY: 'k-1' } })).tjApiKey).toBe('k-1');
    const refused = await loadConfig({
      root,
      env: { TJ_API_URL: 'http://api.trafficjunky.com/api?api_key=url-secret' },
    }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).message).toMatch(/TJ_API_URL must be an https address/);
    expect((refused as ConfigError).message).not.toContain('url-secret');
    const blank = await loadConfig({ root, env: { TJ_API_KEY: '   ' } }).catch((caught: unknown) => caught);
    expect((blank as ConfigError).message).toMatch(/TJ_API_KEY.*its value is not shown/);
  });
});

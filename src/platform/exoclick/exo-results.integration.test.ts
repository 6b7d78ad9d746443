import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';
import { USER_AGENT } from '../../core/product.js';
import type { ExoSimulatorOptions } from '../../simulators/exoclick/options.js';
import { startExoSimulator, type RunningExoSimulator } from '../../simulators/exoclick/server.js';
import { ResultsKeyRefusedError, type CreativeIds, type ResultsFetch } from '../results-source.js';
import { ExoResults, type ExoResultsSettings } from './exo-results.js';
import { ExoApiError } from './transport.js';

/** Issue 29: ExoClick's per-creative results, the client against the simulator over HTTP. */

const log = createLogger({ level: 'silent', pretty: false });
const TOKEN = 'sim-exo-token';
const [NATIVE, INSTREAM] = [5_100_001, 5_100_002];
const DAYS = ['2025-03-01', '2025-03-02', '2025-03-03'];
/** Library file id → our creative, as the inventory's `exo_creative_id` gives it. */
const OURS: Readonly<Record<string, string>> = { '7001': 'ID-AAAA0001', '7002': 'ID-BBBB0002' };
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const ids: CreativeIds = {
  isOurs: (uniqueId) => Object.values(OURS).includes(uniqueId),
  uniqueIdOfExoFile: (fileId) => OURS[fileId],
};

async function start(options: Partial<ExoSimulatorOptions> = {}): Promise<RunningExoSimulator> {
  const sim = await startExoSimulator({ port: 0, apiTokens: [TOKEN], ...options });
  closers.push(() => sim.close());
  return sim;
}

function client(sim: RunningExoSimulator, settings: ExoResultsSettings = {}, apiToken = TOKEN): ExoResults {
  return ExoResults.open(
    { apiUrl: `${sim.url}/v2/`, apiToken, userAgent: USER_AGENT },
    { log, retryBaseMs: 5 },
    settings,
  );
}

/**
 * Two campaigns: creative A in both (v1, v4), creative B in one (v2), and two variations of files
 * that are none of ours (v3, v5). Figures chosen so float sums would miss the cent (0.1 + 0.2).
 */
function seed(sim: RunningExoSimulator): Record<string, number> {
  const v = {
    v1: sim.addVariationByPerson(NATIVE, { name: 'A native', idvariations_file: 7001 }),
    v2: sim.addVariationByPerson(NATIVE, { name: 'B native', idvariations_file: 7002 }),
    v3: sim.addVariationByPerson(NATIVE, { name: 'someone else', idvariations_file: 7999 }),
    v4: sim.addVariationByPerson(INSTREAM, { name: 'A in-stream', idvariations_file: 7001 }),
    v5: sim.addVariationByPerson(INSTREAM, { name: 'another', idvariations_file: 8888 }),
  };
  const set = (
    id: number,
    day: string,
    impressions: number,
    clicks: number,
    cost: number,
    goals: Record<string, number> = {},
  ): void => sim.setVariationStats(id, day, { impressions, clicks, cost, goals });
  set(v.v1, DAYS[0] as string, 1000, 10, 0.1, { g1: 1, g2: 2 });
  set(v.v4, DAYS[0] as string, 500, 5, 0.2, { g1: 1 });
  set(v.v1, DAYS[1] as string, 2000, 20, 12.34, { g2: 3 });
  set(v.v2, DAYS[1] as string, 300, 3, 0.07);
  set(v.v4, DAYS[2] as string, 100, 1, 1.01, { g1: 4 });
  set(v.v3, DAYS[0] as string, 50, 1, 0.05, { g1: 1 });
  set(v.v3, DAYS[2] as string, 70, 2, 0.7);
  set(v.v5, DAYS[2] as string, 30, 0, 0.3, { g2: 1 });
  return v;
}

/** What `seed` comes to, summed by hand. */
const EXPECTED: ResultsFetch = {
  rows: [
    { uniqueId: 'ID-AAAA0001', day: '2025-03-01', impressions: 1500, clicks: 15, conversions: 4, cost: 0.3 },
    { uniqueId: 'ID-AAAA0001', day: '2025-03-02', impressions: 2000, clicks: 20, conversions: 3, cost: 12.34 },
    { uniqueId: 'ID-BBBB0002', day: '2025-03-02', impressions: 300, clicks: 3, conversions: 0, cost: 0.07 },
    { uniqueId: 'ID-AAAA0001', day: '2025-03-03', impressions: 100, clicks: 1, conversions: 4, cost: 1.01 },
  ],
  notOurs: [
    { day: '2025-03-01', items: 1, impressions: 50, clicks: 1, conversions: 1, cost: 0.05 },
    { day: '2025-03-03', items: 2, impressions: 100, clicks: 2, conversions: 1, cost: 1 },
  ],
};

describe('ExoClick results', () => {
  it.each(['object', 'string'] as const)(
    'joins variations to our creatives, per creative and day to the cent, paging until a short page (dates as %s)',
    async (statisticsDateShape) => {
      const sim = await start({ statisticsDateShape });
      seed(sim);
      const results = client(sim, { pageSize: 2 });
      expect(await results.fetchDays(DAYS, ids)).toEqual(EXPECTED);
      // Nine rows in pages of two: five pages, the last one short; deleted variations asked for.
      const { calls } = sim.state().statistics;
      expect(calls.map((call) => call.offset)).toEqual([0, 2, 4, 6, 8]);
      expect(
        calls.every(
          (call) =>
            call.includeDeleted &&
            call.groupBy.join() === 'date,variation_id' &&
            call.dateFrom === DAYS[0] &&
            call.dateTo === DAYS[2],
        ),
      ).toBe(true);
      expect(results.calls).toMatchObject({ grouping: 'date-and-variation', statisticsPages: 5, campaignsRead: 2 });
      // Reads only: nothing the fetch sent could change the account.
      expect(sim.state().writes).toEqual([]);
    },
  );

  it('reads the campaigns whether their list comes as an array or keyed by id', async () => {
    const sim = await start({ campaignsResultShape: 'object' });
    seed(sim);
    expect(await client(sim).fetchDays(DAYS, ids)).toEqual(EXPECTED);
  });

  it('gives only the days asked, and nothing for none', async () => {
    const sim = await start();
    seed(sim);
    const results = client(sim);
    const gap = await results.fetchDays([DAYS[2] as string, DAYS[0] as string], ids);
    expect(gap.rows).toEqual([EXPECTED.rows[0], EXPECTED.rows[3]]);
    expect(gap.notOurs).toEqual(EXPECTED.notOurs);
    expect(await results.fetchDays([], ids)).toEqual({ rows: [], notOurs: [] });
  });

  it("counts a deleted variation's figures: on its creative once a read has shown its file, apart as not ours when none has", async () => {
    const sim = await start();
    const v = seed(sim);
    const results = client(sim);
    await results.fetchDays(DAYS, ids);
    sim.removeVariationByPerson(NATIVE, v.v2 as number);
    // Still reported (include_deleted), no longer listed by its campaign.
    expect(await results.fetchDays(DAYS, ids)).toEqual(EXPECTED);
    const fresh = await client(sim).fetchDays(DAYS, ids);
    expect(fresh.rows.map((row) => row.uniqueId)).not.toContain('ID-BBBB0002');
    expect(fresh.notOurs).toContainEqual({
      day: '2025-03-02',
      items: 1,
      impressions: 300,
      clicks: 3,
      conversions: 0,
      cost: 0.07,
    });
    const totalCost = (fetch: ResultsFetch): number =>
      [...fetch.rows, ...fetch.notOurs].reduce((sum, row) => sum + Math.round(row.cost * 100), 0);
    expect(totalCost(fresh)).toBe(totalCost(EXPECTED));
  });

  it('counts one goal as conversions when EXO_CONVERSION_GOAL names it, every goal otherwise', async () => {
    const sim = await start();
    seed(sim);
    const conversions = async (conversionGoal?: string): Promise<number[]> =>
      (await client(sim, { conversionGoal }).fetchDays(DAYS, ids)).rows.map((row) => row.conversions);
    expect(await conversions()).toEqual([4, 3, 0, 4]);
    expect(await conversions('g1')).toEqual([2, 0, 0, 4]);
    expect(await conversions('g2')).toEqual([2, 3, 0, 0]);
    expect(await conversions('no-such-goal')).toEqual([0, 0, 0, 0]);
  });

  it('asks one day at a time, grouped by variation, when ExoClick refuses date and variation together; and keeps doing so', async () => {
    const sim = await start({ statisticsDateWithVariation: false });
    seed(sim);
    const results = client(sim, { pageSize: 1 });
    expect(await results.fetchDays(DAYS, ids)).toEqual(EXPECTED);
    expect(await results.fetchDays(DAYS, ids)).toEqual(EXPECTED);
    const { calls, refusedGroupings } = sim.state().statistics;
    expect(refusedGroupings).toBe(1);
    expect(calls.every((call) => call.groupBy.join() === 'variation_id' && call.dateFrom === call.dateTo)).toBe(true);
    // Pages of one row: each day read until its short page (day 1: 3 rows, day 2: 2, day 3: 3), twice.
    expect(calls.filter((call) => call.dateFrom === DAYS[0]).map((call) => call.offset)).toEqual([
      0, 1, 2, 3, 0, 1, 2, 3,
    ]);
    expect(results.calls.grouping).toBe('variation-per-day');
  });

  it('throws ResultsKeyRefusedError for a refused API token, logging in once', async () => {
    const sim = await start();
    seed(sim);
    await expect(client(sim, {}, 'not-a-token').fetchDays(DAYS, ids)).rejects.toBeInstanceOf(ResultsKeyRefusedError);
    expect(sim.state().logins.refused).toBe(1);
    expect(sim.state().statistics.requests).toBe(0);
  });

  it('throws ResultsKeyRefusedError for a token revoked while its session lived (a 401, then a refused login)', async () => {
    const sim = await start();
    seed(sim);
    const results = client(sim);
    expect(await results.fetchDays(DAYS, ids)).toEqual(EXPECTED);
    sim.configure({ apiTokens: [], strike: { at: sim.state().requests + 1, fault: 'session-expired' } });
    const error = await results.fetchDays(DAYS, ids).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ResultsKeyRefusedError);
    expect((error as ResultsKeyRefusedError).message).not.toContain(TOKEN);
  });

  it('throws ResultsKeyRefusedError when a call answers 401 again right after a fresh login', async () => {
    // Sessions dead as soon as issued: the login works, every call with its token answers 401.
    const sim = await start({ tokenTtlSeconds: -1 });
    seed(sim);
    const error = await client(sim)
      .fetchDays(DAYS, ids)
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ResultsKeyRefusedError);
    expect((error as Error).message).toMatch(/401 after a fresh login/);
  });

  it('throws when a fetch fails halfway, returning no part of it; the next fetch is whole', async () => {
    const sim = await start({
      statisticsFaultPlan: ['ok', 'server-error', 'server-error', 'server-error', 'server-error'],
    });
    seed(sim);
    const results = client(sim, { pageSize: 2 });
    const error = await results.fetchDays(DAYS, ids).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ExoApiError);
    expect((error as ExoApiError).status).toBeGreaterThanOrEqual(500);
    expect(sim.state().statistics.requests).toBe(5);
    expect(await results.fetchDays(DAYS, ids)).toEqual(EXPECTED);
  });

  it('throws when the connection drops on every try of a statistics page', async () => {
    const sim = await start({
      statisticsFaultPlan: ['ok', ...Array<'dropped-after-kept'>(4).fill('dropped-after-kept')],
    });
    seed(sim);
    await expect(client(sim, { pageSize: 2 }).fetchDays(DAYS, ids)).rejects.toBeInstanceOf(ExoApiError);
    expect(sim.state().faults.dropped).toBe(4);
  });
});

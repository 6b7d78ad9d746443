import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/logger.js';
import type { SimReportingOptions } from '../../../simulators/tj/reporting-options.js';
import type { RunningSimulator } from '../../../simulators/tj/server.js';
import { testSimulator } from '../../../test/simulated-tj.js';
import type { CreativeIds, ResultsFetch } from '../../results-source.js';
import { numberOf } from './answers.js';
import { uniqueIdInName } from './join.js';
import { TjReportingError } from './transport.js';
import { createTjResults, TjResults, type TjResultsOptions } from './tj-results.js';

/** Issue 29, items 1 and 6 (TJ): the client against the simulated reporting API, over HTTP. */

const KEY = 'sim-tj-api-key';
const log = createLogger({ level: 'silent', pretty: false });
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function start(reporting: Partial<SimReportingOptions> = {}): Promise<RunningSimulator> {
  const sim = await testSimulator({ reporting: { apiKey: KEY, ...reporting } });
  closers.push(() => sim.close());
  return sim;
}

function results(sim: RunningSimulator, options: Partial<TjResultsOptions> = {}): TjResults {
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

function ours(...uniqueIds: string[]): CreativeIds {
  const set = new Set(uniqueIds);
  return { isOurs: (uniqueId) => set.has(uniqueId), uniqueIdOfExoFile: () => undefined };
}

const A = 'ID-A9D25064';
const B = 'ID-0000BEEF';
const DAYS = ['2026-03-01', '2026-03-02'];

/** Two campaigns with ads of ours (A in three ads over both, B in one) and others', and a paused campaign with none. */
function seedAccount(sim: RunningSimulator): void {
  const r = sim.reporting;
  r.seedCampaign({ id: '1001', name: 'Native EN', status: 'active' });
  r.seedCampaign({ id: '1002', name: 'Preroll EN', status: 'active' });
  r.seedCampaign({ id: '1003', name: 'Old', status: 'paused' });
  r.seedAd('1001', { id: '11', name: 'VID_EN_Promo_F_Real_NSFW_spring-hero_Bars_3sec_T-AB1_ID-A9D25064-VID' });
  r.seedAd('1001', { id: '12', name: 'VID_EN_Promo_F_Real_NSFW_spring-hero_Bars_3sec_T_ID-A9D25064-VID' });
  r.seedAd('1001', { id: '13', name: 'EN_Promo_F_Real_NSFW_other_Bars_ID-0000BEEF' });
  r.seedAd('1001', { id: '14', name: 'Competitor banner 300x250' });
  r.seedAd('1001', { id: '15', name: 'Someone_else_ID-DEADBEEF' });
  r.seedAd('1001', { id: '16', name: 'Two_ids_ID-0000BEEF_ID-A9D25064' });
  r.seedAd('1001', { id: '17', name: 'lower_ID-a9d25064' });
  r.seedAd('1002', { id: '21', name: 'EN_Promo_F_Real_NSFW_spring-hero_Bars_T-AB1_ID-A9D25064' });
  r.seedAd('1002', { id: '22', name: 'Idle_ID-0000BEEF' });
  // Costs that a float sum gets wrong (0.1 + 0.2), and a fraction of a cent.
  const f = (impressions: number, clicks: number, conversions: number, cost: number) => ({
    impressions,
    clicks,
    conversions,
    cost,
  });
  r.setAdStats('11', '2026-03-01', f(1000, 10, 1, 0.1));
  r.setAdStats('12', '2026-03-01', f(500, 5, 0, 0.2));
  r.setAdStats('21', '2026-03-01', f(2500, 40, 3, 12.345));
  r.setAdStats('13', '2026-03-01', f(300, 3, 0, 1.5));
  r.setAdStats('14', '2026-03-01', f(9000, 90, 9, 20));
  r.setAdStats('15', '2026-03-01', f(100, 1, 0, 0.05));
  r.setAdStats('16', '2026-03-01', f(10, 0, 0, 0.01));
  r.setAdStats('17', '2026-03-01', f(20, 0, 0, 0.02));
  r.setAdStats('11', '2026-03-02', f(1200, 12, 2, 3.3));
  r.setAdStats('21', '2026-03-02', f(800, 8, 1, 4.4));
  r.setAdStats('14', '2026-03-02', f(50, 1, 0, 0.5));
  // A day not asked: never in the answer.
  r.setAdStats('11', '2026-03-03', f(7, 7, 7, 7));
}

const EXPECTED: ResultsFetch = {
  rows: [
    { uniqueId: B, day: '2026-03-01', impressions: 300, clicks: 3, conversions: 0, cost: 1.5 },
    { uniqueId: A, day: '2026-03-01', impressions: 4000, clicks: 55, conversions: 4, cost: 12.645 },
    { uniqueId: A, day: '2026-03-02', impressions: 2000, clicks: 20, conversions: 3, cost: 7.7 },
  ],
  notOurs: [
    { day: '2026-03-01', items: 4, impressions: 9130, clicks: 91, conversions: 9, cost: 20.08 },
    { day: '2026-03-02', items: 1, impressions: 50, clicks: 1, conversions: 0, cost: 0.5 },
  ],
};

describe('TJ results: the join and the sums', () => {
  it("sums a creative's ads per day to the cent, counts ads not ours apart, and reads one day per call in DD/MM/YYYY", async () => {
    const sim = await start();
    seedAccount(sim);
    const fetched = await results(sim).fetchDays(DAYS, ours(A, B));
    expect(fetched).toEqual(EXPECTED);
    const state = sim.reporting.state;
    // Two campaigns with ads × two days; the paused one with no ad costs no stats call.
    expect(state.served).toEqual({ campaigns: 1, ads: 3, stats: 4 });
    const stats = state.calls.filter((call) => call.path.endsWith('/stats/one.json'));
    expect(stats.map((call) => [call.path, call.query.startDate, call.query.endDate])).toEqual([
      ['/api/ads/1001/stats/one.json', '01/03/2026', '01/03/2026'],
      ['/api/ads/1002/stats/one.json', '01/03/2026', '01/03/2026'],
      ['/api/ads/1001/stats/one.json', '02/03/2026', '02/03/2026'],
      ['/api/ads/1002/stats/one.json', '02/03/2026', '02/03/2026'],
    ]);
    expect(state.calls.every((call) => call.keyOk && call.status === 200)).toBe(true);
  });

  it('reads the same figures whether they come as texts or numbers, as revenue or cost, with idle ads listed or not', async () => {
    for (const variant of [
      { numbersAsStrings: false, spendField: 'cost', listIdleAds: false },
      { numbersAsStrings: true, spendField: 'revenue', listIdleAds: false },
    ] as const) {
      const sim = await start(variant);
      seedAccount(sim);
      expect(await results(sim).fetchDays(DAYS, ours(A, B)), JSON.stringify(variant)).toEqual(EXPECTED);
    }
  });

  it('counts nothing of ours when none of the ids are known, and makes no call for no day', async () => {
    const sim = await start();
    seedAccount(sim);
    const none = await results(sim).fetchDays(['2026-03-02'], ours());
    expect(none.rows).toEqual([]);
    expect(none.notOurs).toEqual([
      { day: '2026-03-02', items: 3, impressions: 2050, clicks: 21, conversions: 3, cost: 8.2 },
    ]);
    const before = sim.reporting.state.requests;
    expect(await results(sim).fetchDays([], ours(A))).toEqual({ rows: [], notOurs: [] });
    expect(sim.reporting.state.requests).toBe(before);
    await expect(results(sim).fetchDays(['01/03/2026'], ours(A))).rejects.toThrow(RangeError);
  });

  it('reads the ads made through the mass-create flow, by the names the CSV gave them', async () => {
    const sim = await testSimulator({
      reporting: { apiKey: KEY },
      campaigns: [
        {
          id: '7',
          name: 'Site campaign',
          type: 'native',
          ads: [{ name: 'Made_ID-00000001-VID', targetUrl: 'https://x.test', creativeIds: ['1', '2'] }],
        },
      ],
    });
    closers.push(() => sim.close());
    const adId = sim.reporting.adIdOf('7', 'Made_ID-00000001-VID') ?? '';
    sim.reporting.setAdStats(adId, '2026-03-01', { impressions: 10, clicks: 1, conversions: 1, cost: 0.25 });
    expect((await results(sim).fetchDays(['2026-03-01'], ours('ID-00000001'))).rows).toEqual([
      { uniqueId: 'ID-00000001', day: '2026-03-01', impressions: 10, clicks: 1, conversions: 1, cost: 0.25 },
    ]);
  });
});

describe('TJ results: paging', () => {
  /** One campaign of `count` ads, each its own creative with `i + 1` impressions. */
  function seedMany(sim: RunningSimulator, count: number): string[] {
    sim.reporting.seedCampaign({ id: '500', name: 'Many' });
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const uniqueId = `ID-${(i + 1).toString(16).toUpperCase().padStart(8, '0')}`;
      ids.push(uniqueId);
      sim.reporting.seedAd('500', { id: String(100 + i), name: `Ad_${i}_${uniqueId}` });
      sim.reporting.setAdStats(String(100 + i), '2026-03-01', {
        impressions: i + 1,
        clicks: 0,
        conversions: 0,
        cost: 0.01,
      });
    }
    return ids;
  }

  /**
   * Calls of the ads list, by what offset counts and how many ads: one page for a short list; a
   * full first page brings the probe at offset 1 (rows: the first page shifted by one; pages from
   * 0: page 2; pages from 1: page 1 again), then the walk in the meaning found, to a short page.
   */
  const LIST_CALLS = {
    rows: { 7: 4, 6: 3, 3: 2, 2: 1 },
    pages: { 7: 3, 6: 3, 3: 2, 2: 1 },
    'pages-from-1': { 7: 4, 6: 4, 3: 3, 2: 1 },
  } as const;
  for (const offsetCounts of ['rows', 'pages', 'pages-from-1'] as const) {
    for (const count of [7, 6, 3, 2] as const) {
      it(`reads every ad of ${count}, three a page, when offset counts ${offsetCounts}`, async () => {
        const sim = await start({ offsetCounts });
        const ids = seedMany(sim, count);
        const fetched = await results(sim, { pageSize: 3 }).fetchDays(['2026-03-01'], ours(...ids));
        expect(fetched.rows.map((row) => row.uniqueId)).toEqual(ids);
        expect(fetched.rows.map((row) => row.impressions)).toEqual(ids.map((_id, i) => i + 1));
        expect(fetched.rows.reduce((sum, row) => sum + row.cost, 0)).toBeCloseTo(count * 0.01, 10);
        expect(sim.reporting.state.served.ads).toBe(LIST_CALLS[offsetCounts][count]);
      });
    }
  }

  it('stops, and says so, when a page repeats the ones before it (an API that ignores offset)', async () => {
    const sim = await start({ offsetCounts: 'ignored' });
    const lines: string[] = [];
    const destination = new Writable({
      write: (chunk: Buffer, _encoding, done) => void (lines.push(chunk.toString()), done()),
    });
    const fetched = await results(sim, { pageSize: 3, log: createLogger({ level: 'info', destination }) }).fetchDays(
      ['2026-03-01'],
      ours(...seedMany(sim, 7)),
    );
    expect(fetched.rows).toHaveLength(3);
    expect(sim.reporting.state.served.ads).toBe(3);
    expect(lines.join('')).toMatch(/"level":40.*repeated items already read \(the API may ignore offset\)/);
  });
});

describe('TJ results: reading names and figures', () => {
  it('takes exactly one ID- of 8 upper-case hex digits standing alone in the name', () => {
    const cases: [string, string | undefined][] = [
      ['VID_EN_Promo_F_Real_NSFW_spring-hero_Bars_3sec_T-AB1_ID-A9D25064-VID', 'ID-A9D25064'],
      ['…_3sec__ID-BEEFBDD7-VID', 'ID-BEEFBDD7'],
      ['ID-0000000A', 'ID-0000000A'],
      ['Same twice ID-0000000A ID-0000000A', 'ID-0000000A'],
      ['Two_ID-0000000A_ID-0000000B', undefined],
      ['lower_ID-a9d25064', undefined],
      ['nine_ID-A9D250641', undefined],
      ['seven_ID-A9D2506', undefined],
      ['XID-A9D25064', undefined],
      ['Competitor banner', undefined],
    ];
    for (const [name, uniqueId] of cases) expect(uniqueIdInName(name), name).toBe(uniqueId);
  });

  it('reads figures given as numbers or texts, and refuses what is neither', () => {
    const read = (value: unknown) => numberOf(value, 'x', 'GET test');
    expect([
      read(12),
      read('12'),
      read(' 12.50 '),
      read('1,234.5'),
      read(''),
      read(null),
      read(undefined),
      read('-0.25'),
    ]).toEqual([12, 12, 12.5, 1234.5, 0, 0, 0, -0.25]);
    for (const bad of ['1,5', 'N/A', '12abc', '1e3', true, {}])
      expect(() => read(bad), JSON.stringify(bad)).toThrow(TjReportingError);
  });
});

describe('TJ results: without a key', () => {
  it('is not made at all', () => {
    expect(createTjResults({ apiUrl: 'https://api.trafficjunky.com/api', apiKey: undefined, log })).toBeUndefined();
    expect(createTjResults({ apiUrl: 'https://api.trafficjunky.com/api', apiKey: 'k', log })).toBeInstanceOf(TjResults);
  });
});

describe('TJ results: a fetch that fails halfway', () => {
  it('throws rather than giving part of the days, and the same fetch is whole once TJ answers again', async () => {
    const sim = await start();
    seedAccount(sim);
    // Calls 1–4 list the campaigns and their ads, 5–6 read the first day: the second day meets an outage.
    sim.reporting.configure({ failFromRequest: 7 });
    const failed = await results(sim, { maxAttempts: 3 })
      .fetchDays(DAYS, ours(A, B))
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(TjReportingError);
    expect((failed as TjReportingError).status).toBe(500);
    expect((failed as TjReportingError).plain).toMatch(/stats\/one\.json.*last good ones stay/);
    expect(sim.reporting.state.served.stats).toBe(2);
    sim.reporting.configure({ failFromRequest: undefined });
    expect(await results(sim).fetchDays(DAYS, ours(A, B))).toEqual(EXPECTED);
  });

  it('fails a figure that does not read as a number rather than guessing it', async () => {
    const sim = await start();
    sim.reporting.seedCampaign({ id: '9', name: 'Odd' });
    sim.reporting.seedAd('9', { id: '91', name: 'X_ID-00000001' });
    sim.reporting.setAdStats('91', '2026-03-01', { impressions: Number.NaN, clicks: 0, conversions: 0, cost: 1 });
    await expect(results(sim).fetchDays(['2026-03-01'], ours('ID-00000001'))).rejects.toThrow(
      /impressions is the text "NaN", not a number/,
    );
  });
});

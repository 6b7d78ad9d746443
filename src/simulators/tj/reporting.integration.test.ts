import fs from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_LIBRARY_CSV } from '../../test/fixtures.js';
import { testSimulator } from '../../test/simulated-tj.js';
import { SimLibrary } from './library.js';
import type { SimReportingOptions, SimReportingState } from './reporting-options.js';
import type { RunningSimulator } from './server.js';

/**
 * The simulated reporting API as STATS-CONTRACT.md describes TJ's, spoken to over bare HTTP (no
 * client of ours): routes, the key as `api_key`, DD/MM/YYYY, figures as texts keyed by ad id,
 * paging in each meaning of `offset`, faults, and the ads the mass-create flow makes.
 */

const KEY = 'sim-key';
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function start(reporting: Partial<SimReportingOptions> = {}, library?: SimLibrary): Promise<RunningSimulator> {
  const sim = await testSimulator(
    {
      reporting: { apiKey: KEY, ...reporting },
      campaigns: [{ id: '1001', name: 'Native site campaign', type: 'native' }],
    },
    library,
  );
  closers.push(() => sim.close());
  return sim;
}

async function get(
  sim: RunningSimulator,
  path: string,
  query: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${sim.apiUrl}/${path}?${new URLSearchParams({ api_key: KEY, ...query }).toString()}`);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

describe('simulated TJ reporting API', () => {
  it('lists campaigns and ads, and sums per-ad figures over a DD/MM/YYYY range, as texts keyed by ad id', async () => {
    const sim = await start();
    sim.reporting.seedCampaign({ id: '2002', name: 'Seeded', status: 'paused' });
    sim.reporting.seedAd('2002', { id: '7', name: 'Ad_ID-00000007' });
    sim.reporting.seedAd('2002', { id: '8', name: 'Idle' });
    sim.reporting.setAdStats('7', '2026-03-01', { impressions: 1000, clicks: 20, conversions: 2, cost: 1.1 });
    sim.reporting.setAdStats('7', '2026-03-02', { impressions: 500, clicks: 5, conversions: 0, cost: 2.2 });
    expect((await get(sim, 'campaigns.json')).body).toEqual([
      { campaign_id: 1001, campaign_name: 'Native site campaign', status: 'active' },
      { campaign_id: 2002, campaign_name: 'Seeded', status: 'paused' },
    ]);
    expect((await get(sim, 'ads/2002.json', { limit: '10', offset: '0' })).body).toEqual([
      {
        ad_id: 7,
        ad_name: 'Ad_ID-00000007',
        target_url: 'https://example.test/',
        spot_id: 1,
        spot_name: 'Native Ad Widget',
      },
      { ad_id: 8, ad_name: 'Idle', target_url: 'https://example.test/', spot_id: 1, spot_name: 'Native Ad Widget' },
    ]);
    const both = await get(sim, 'ads/2002/stats/one.json', { startDate: '01/03/2026', endDate: '02/03/2026' });
    expect(both.body).toMatchObject({
      '7': { impressions: '1500', clicks: '25', conversions: '2', revenue: '3.3' },
      '8': { impressions: '0', revenue: '0' },
    });
    expect(
      (await get(sim, 'ads/2002/stats/one.json', { startDate: '02/03/2026', endDate: '02/03/2026' })).body,
    ).toMatchObject({ '7': { impressions: '500', revenue: '2.2' } });
    // A restatement replaces the day.
    sim.reporting.setAdStats('7', '2026-03-02', { impressions: 600, clicks: 6, conversions: 1, cost: 2.5 });
    expect(
      (await get(sim, 'ads/2002/stats/one.json', { startDate: '02/03/2026', endDate: '02/03/2026' })).body,
    ).toMatchObject({ '7': { impressions: '600', conversions: '1', revenue: '2.5' } });
    // No ad: an empty map, as PHP encodes it.
    expect(
      (await get(sim, 'ads/1001/stats/one.json', { startDate: '01/03/2026', endDate: '01/03/2026' })).body,
    ).toEqual([]);
    for (const [startDate, endDate] of [
      ['2026-03-01', '2026-03-01'],
      ['31/02/2026', '31/02/2026'],
      ['02/03/2026', '01/03/2026'],
    ]) {
      const wrong = await get(sim, 'ads/2002/stats/one.json', { startDate: startDate ?? '', endDate: endDate ?? '' });
      expect(wrong.status, `${startDate}–${endDate}`).toBe(400);
      expect(wrong.body).toHaveProperty('message');
    }
    expect((await get(sim, 'ads/9999.json')).status).toBe(404);
  });

  it('answers a wrong or missing key with a message, as a 401 or a 200, and counts it', async () => {
    const sim = await start();
    const wrong = await fetch(`${sim.apiUrl}/campaigns.json?api_key=nope`);
    expect([wrong.status, await wrong.json()]).toEqual([401, { message: 'Invalid API key' }]);
    expect((await fetch(`${sim.apiUrl}/campaigns.json`)).status).toBe(401);
    sim.reporting.configure({ wrongKeyStatus: 200 });
    const polite = await fetch(`${sim.apiUrl}/campaigns.json?api_key=nope`);
    expect([polite.status, await polite.json()]).toEqual([200, { message: 'Invalid API key' }]);
    const state = sim.reporting.state;
    expect([state.requests, state.refused, state.served.campaigns]).toEqual([3, 3, 0]);
    // The key is never kept in the log of calls.
    expect(JSON.stringify(state)).not.toContain('nope');
  });

  it('pages by limit and offset, offset counting rows, pages from 0 or pages from 1', async () => {
    const sim = await start({ maxLimit: 4 });
    for (let i = 1; i <= 10; i += 1) sim.reporting.seedAd('1001', { id: String(i), name: `Ad ${i}` });
    const ids = async (query: Record<string, string>): Promise<number[]> =>
      ((await get(sim, 'ads/1001.json', query)).body as { ad_id: number }[]).map((ad) => ad.ad_id);
    expect(await ids({ limit: '3', offset: '3' })).toEqual([4, 5, 6]);
    expect(await ids({})).toEqual([1, 2, 3, 4]);
    expect(await ids({ limit: '100', offset: '8' })).toEqual([9, 10]);
    sim.reporting.configure({ offsetCounts: 'pages' });
    expect(await ids({ limit: '3', offset: '1' })).toEqual([4, 5, 6]);
    sim.reporting.configure({ offsetCounts: 'pages-from-1' });
    expect(await ids({ limit: '3', offset: '0' })).toEqual([1, 2, 3]);
    expect(await ids({ limit: '3', offset: '2' })).toEqual([4, 5, 6]);
    expect((await get(sim, 'ads/1001.json', { limit: 'many' })).status).toBe(400);
  });

  it('injects 429s (with Retry-After) and 5xx by count or share, and an outage from a given call', async () => {
    const sim = await start({ retryAfterSeconds: 2 });
    sim.reporting.configure({ rateLimitNext: 2, serverErrorNext: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await get(sim, 'campaigns.json')).status);
    expect(statuses).toEqual([429, 429, 503, 200]);
    const limited = await start({ rateLimitRate: 1, retryAfterSeconds: 2 });
    expect((await get(limited, 'campaigns.json')).headers.get('retry-after')).toBe('2');
    sim.reporting.configure({ failFromRequest: 6 });
    expect([(await get(sim, 'campaigns.json')).status, (await get(sim, 'campaigns.json')).status]).toEqual([200, 500]);
    const state = sim.reporting.state;
    expect([state.rateLimited, state.serverErrors, state.served.campaigns]).toEqual([2, 2, 2]);
    expect(state.calls.map((call) => call.status)).toEqual([429, 429, 503, 200, 200, 500]);
  });

  it('lists the ads made through "Mass create with CSV", named as the CSV named them, and takes figures for them', async () => {
    const library = new SimLibrary();
    library.seedFromCsv(await fs.readFile(EXAMPLE_LIBRARY_CSV, 'utf8'));
    const sim = await start({}, library);
    const [video, thumbnail] = library.all.filter((creative) => creative.tab === 'native');
    const signIn = await fetch(`${sim.url}/sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'demo', password: 'demo-password' }),
      redirect: 'manual',
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csv = `"Ad Name","Target URL","Video Creative ID","Thumbnail Creative ID","Headline","Brand Name"\n"VID_EN_Promo_T-AB1_ID-A9D25064-VID","https://x.test","${video?.id ?? ''}","${thumbnail?.id ?? ''}","H","B"\n`;
    const created = await fetch(`${sim.url}/api/campaign/1001/ads/create`, {
      method: 'POST',
      body: csv,
      headers: { cookie },
    });
    expect(created.status).toBe(200);
    const ads = (await get(sim, 'ads/1001.json')).body as { ad_id: number; ad_name: string }[];
    expect(ads.map((ad) => ad.ad_name)).toEqual(['VID_EN_Promo_T-AB1_ID-A9D25064-VID']);
    const adId = sim.reporting.adIdOf('1001', 'VID_EN_Promo_T-AB1_ID-A9D25064-VID');
    expect(String(ads[0]?.ad_id)).toBe(adId);
    // Seeded over HTTP, as a simulator in its own process is.
    const seeded = await fetch(`${sim.url}/_sim/reporting/stats`, {
      method: 'POST',
      body: JSON.stringify({ adId, day: '2026-03-05', impressions: 40, clicks: 4, conversions: 1, cost: 0.75 }),
    });
    expect(seeded.status).toBe(200);
    expect(
      (await get(sim, 'ads/1001/stats/one.json', { startDate: '05/03/2026', endDate: '05/03/2026' })).body,
    ).toMatchObject({ [adId ?? '']: { impressions: '40', revenue: '0.75' } });
    await fetch(`${sim.url}/_sim/reporting/configure`, { method: 'POST', body: JSON.stringify({ rateLimitNext: 1 }) });
    expect((await get(sim, 'campaigns.json')).status).toBe(429);
    const state = (await (await fetch(`${sim.url}/_sim/reporting/state`)).json()) as SimReportingState;
    expect(state.rateLimited).toBe(1);
    // The site's own count of requests is not the reporting API's.
    const site = (await (await fetch(`${sim.url}/_sim/state`)).json()) as { routes: string[] };
    expect(site.routes.some((route) => route.includes('.json'))).toBe(false);
  });
});

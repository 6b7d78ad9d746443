import { afterEach, describe, expect, it } from 'vitest';
import type { ExoSimulatorOptions } from './options.js';
import { startExoSimulator, type RunningExoSimulator } from './server.js';

/** Issue 29, item 6: the simulator's `POST /v2/statistics/a/global`, as STATS-CONTRACT.md gives it, seen over HTTP. */

const UA = 'creative-flow-tests/1.0';
const [NATIVE, INSTREAM] = [5_100_001, 5_100_002];
const running: RunningExoSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

interface Row {
  group_by: Record<string, unknown>;
  impressions: number;
  clicks: number;
  cost: number;
  ctr: number;
  goals: { total: number; data: Record<string, { volume: number; ecpa: number }> };
}

/** A simulator with v1 (native) and v2 (in-stream) on two days, and a logged-in client for it. */
interface Started {
  sim: RunningExoSimulator;
  /** A statistics request, as a logged-in client sends it. */
  post: (body: unknown) => Promise<Response>;
  /** Any request of the logged-in client, its body sent as given. */
  call: (method: string, path: string, body?: string, contentType?: string) => Promise<Response>;
  v1: number;
  v2: number;
}

async function start(options: Partial<ExoSimulatorOptions> = {}): Promise<Started> {
  const sim = await startExoSimulator({ port: 0, ...options });
  running.push(sim);
  const v1 = sim.addVariationByPerson(NATIVE, { name: 'one', idvariations_file: 11 });
  const v2 = sim.addVariationByPerson(INSTREAM, { name: 'two', idvariations_file: 12 });
  sim.setVariationStats(v1, '2025-05-01', { impressions: 1000, clicks: 20, cost: 0.1, goals: { g1: 2, g2: 1 } });
  sim.setVariationStats(v1, '2025-05-02', { impressions: 500, clicks: 5, cost: 0.2 });
  sim.setVariationStats(v2, '2025-05-02', { impressions: 300, clicks: 3, cost: 3.3, goals: { g2: 4 } });
  const login = await fetch(`${sim.url}/v2/login`, {
    method: 'POST',
    headers: { 'User-Agent': UA, 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_token: 'sim-exo-token' }),
  });
  const { token } = (await login.json()) as { token: string };
  const call = (method: string, path: string, body?: string, contentType = 'application/json'): Promise<Response> =>
    fetch(`${sim.url}/v2/${path}`, {
      method,
      headers: { 'User-Agent': UA, Authorization: `Bearer ${token}`, 'Content-Type': contentType },
      body,
    });
  const post = (body: unknown): Promise<Response> => call('POST', 'statistics/a/global', JSON.stringify(body));
  return { sim, post, call, v1, v2 };
}

const RANGE = { date_from: '2025-05-01', date_to: '2025-05-02' };

async function rows(response: Response): Promise<Row[]> {
  expect(response.status).toBe(200);
  return ((await response.json()) as { result: Row[] }).result;
}

describe('ExoClick simulator: statistics', () => {
  it('groups by date and variation, by variation alone (summed over the range), and by campaign, with goals, ctr and cost in dollars', async () => {
    const { post, v1, v2 } = await start();
    const byDay = await rows(await post({ filter: RANGE, group_by: ['date', 'variation_id'], limit: 100 }));
    expect(byDay.map((row) => [row.group_by.date, row.group_by.variation_id, row.impressions, row.cost])).toEqual([
      [{ date: '2025-05-01' }, { id: v1, name: 'one' }, 1000, 0.1],
      [{ date: '2025-05-02' }, { id: v1, name: 'one' }, 500, 0.2],
      [{ date: '2025-05-02' }, { id: v2, name: 'two' }, 300, 3.3],
    ]);
    expect(byDay[0]).toMatchObject({
      clicks: 20,
      ctr: 2,
      goals: { total: 3, data: { g1: { volume: 2, ecpa: 0.05 }, g2: { volume: 1, ecpa: 0.1 } } },
    });
    expect(byDay[1]?.goals).toEqual({ total: 0, data: {} });
    const byVariation = await rows(await post({ filter: RANGE, group_by: ['variation_id'], limit: 100 }));
    expect(byVariation.map((row) => [row.group_by.variation_id, row.impressions, row.cost, row.goals.total])).toEqual([
      [{ id: v1, name: 'one' }, 1500, 0.3, 3],
      [{ id: v2, name: 'two' }, 300, 3.3, 4],
    ]);
    const byCampaign = await rows(
      await post({ filter: { ...RANGE, campaign_id: [INSTREAM] }, group_by: ['campaign_id'], limit: 100 }),
    );
    expect(byCampaign.map((row) => [row.group_by.campaign_id, row.impressions])).toEqual([
      [{ id: INSTREAM, name: 'Sim in-stream campaign' }, 300],
    ]);
    const totals = (await (await post({ filter: RANGE, group_by: ['date'], totals: true })).json()) as { totals: Row };
    expect(totals.totals).toMatchObject({ impressions: 1800, clicks: 28, cost: 3.6, goals: { total: 7 } });
  });

  it('gives the date as a plain string when the option says so', async () => {
    const { post } = await start({ statisticsDateShape: 'string' });
    expect(
      (await rows(await post({ filter: RANGE, group_by: ['date', 'variation_id'], limit: 100 }))).map(
        (row) => row.group_by.date,
      ),
    ).toEqual(['2025-05-01', '2025-05-02', '2025-05-02']);
  });

  it('pages with limit and offset (up to 5000 a page) and names each call in the state', async () => {
    const { sim, post } = await start();
    const ask = async (limit: number, offset: number): Promise<number> =>
      (await rows(await post({ filter: RANGE, group_by: ['date', 'variation_id'], limit, offset }))).length;
    expect([await ask(2, 0), await ask(2, 2), await ask(2, 4)]).toEqual([2, 1, 0]);
    expect((await post({ filter: RANGE, group_by: ['date'], limit: 5_001 })).status).toBe(400);
    const state = sim.state();
    expect(state.statistics.calls.map((call) => [call.limit, call.offset, call.includeDeleted])).toEqual([
      [2, 0, false],
      [2, 2, false],
      [2, 4, false],
    ]);
    expect(state.statistics.requests).toBe(4);
    // A statistics POST only reads: it is not counted among the writes.
    expect(state.writes).toEqual([]);
  });

  it("keeps a deleted variation's figures, answered when deleted variations are asked for", async () => {
    const { sim, post, v1 } = await start();
    sim.removeVariationByPerson(NATIVE, v1);
    const ids = async (body: Record<string, unknown>): Promise<unknown[]> =>
      (await rows(await post({ filter: RANGE, group_by: ['campaign_id', 'variation_id'], ...body }))).map((row) => [
        row.group_by.campaign_id,
        (row.group_by.variation_id as { id: number }).id,
      ]);
    expect(await ids({})).toHaveLength(1);
    expect(await ids({ include_deleted: true })).toEqual([
      [{ id: NATIVE, name: 'Sim native campaign' }, v1],
      [{ id: INSTREAM, name: 'Sim in-stream campaign' }, expect.any(Number)],
    ]);
    expect(() => sim.setVariationStats(999_999, '2025-05-01', { impressions: 1, clicks: 0, cost: 0 })).toThrow(
      /no campaign holds variation 999999/,
    );
    // Figures set before the deletion can still be changed after it.
    sim.setVariationStats(v1, '2025-05-01', { impressions: 7, clicks: 0, cost: 0 });
  });

  it('refuses date and variation together when the option says so, and nothing else', async () => {
    const { sim, post } = await start({ statisticsDateWithVariation: false });
    const refused = await post({ filter: RANGE, group_by: ['variation_id', 'date'] });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/date and variation_id/);
    expect(
      (await post({ filter: { date_from: '2025-05-02', date_to: '2025-05-02' }, group_by: ['variation_id'] })).status,
    ).toBe(200);
    expect((await post({ filter: RANGE, group_by: ['date', 'campaign_id'] })).status).toBe(200);
    expect(sim.state().statistics.refusedGroupings).toBe(1);
  });

  it('answers 400 or 415 to a request it cannot take', async () => {
    const { post, call } = await start();
    expect((await post({ group_by: ['date'] })).status).toBe(400);
    expect(
      (await post({ filter: { date_from: '2025-05-02', date_to: '2025-05-01' }, group_by: ['date'] })).status,
    ).toBe(400);
    expect(
      (await post({ filter: RANGE, group_by: ['date', 'variation_id', 'campaign_id', 'date', 'country'] })).status,
    ).toBe(400);
    expect((await post({ filter: RANGE, group_by: ['zone_id'] })).status).toBe(400);
    expect((await post({ filter: RANGE, group_by: [] })).status).toBe(400);
    expect((await call('POST', 'statistics/a/global', 'x', 'text/plain')).status).toBe(415);
    expect((await call('POST', 'statistics/a/global', '{not json')).status).toBe(400);
    expect((await call('GET', 'statistics/a/global')).status).toBe(404);
  });

  it('counts statistics in a rate-limit bucket of their own, with their own headers', async () => {
    const { sim, post, call } = await start({
      statisticsRateLimit: { limit: 1, windowSeconds: 900 },
      rateLimit: { limit: 3, windowSeconds: 900 },
    });
    const first = await post({ filter: RANGE, group_by: ['date'] });
    expect([
      first.status,
      first.headers.get('x-rate-limit-limit'),
      first.headers.get('x-rate-limit-remaining'),
    ]).toEqual([200, '1', '0']);
    const second = await post({ filter: RANGE, group_by: ['date'] });
    expect(second.status).toBe(429);
    // The API's bucket (the login spent one of its three) is untouched by the statistics calls.
    const campaigns = await call('GET', 'campaigns');
    expect([
      campaigns.status,
      campaigns.headers.get('x-rate-limit-limit'),
      campaigns.headers.get('x-rate-limit-remaining'),
    ]).toEqual([200, '3', '1']);
    const state = sim.state();
    expect(state.statistics).toMatchObject({ requests: 1, rateLimited: 1, tooEarly: 0 });
    expect(state.tooEarly).toBe(0);
  });

  it('serves the planned statistics faults, in the statistics bucket', async () => {
    const { sim, post, call } = await start({
      statisticsFaultPlan: ['server-error', 'dropped-after-kept', 'rate-limited'],
    });
    const body = { filter: RANGE, group_by: ['variation_id'] };
    expect((await post(body)).status).toBe(500);
    await expect(post(body)).rejects.toThrow();
    const limited = await post(body);
    expect([limited.status, limited.headers.get('x-rate-limit-remaining')]).toEqual([429, '0']);
    expect((await call('GET', 'campaigns')).status).toBe(200);
    expect(sim.state().statistics).toMatchObject({ requests: 3, rateLimited: 1 });
    expect(sim.state().faults).toMatchObject({ serverErrors: 1, dropped: 1 });
  });

  it('takes figures over /_sim/variation-stats', async () => {
    const { post, sim, v2 } = await start();
    const body = { filter: RANGE, group_by: ['variation_id'] };
    const set = (figures: unknown): Promise<Response> =>
      fetch(`${sim.url}/_sim/variation-stats`, { method: 'POST', body: JSON.stringify(figures) });
    expect(
      (await set({ variationId: v2, day: '2025-05-02', impressions: 42, clicks: 1, cost: 0.42, goals: { g9: 1 } }))
        .status,
    ).toBe(200);
    expect((await set({ variationId: 123, day: '2025-05-02' })).status).toBe(400);
    expect((await set({ variationId: v2, day: '2 May' })).status).toBe(400);
    const after = await rows(await post(body));
    expect(after.find((row) => (row.group_by.variation_id as { id: number }).id === v2)).toMatchObject({
      impressions: 42,
      cost: 0.42,
      goals: { total: 1 },
    });
  });
});

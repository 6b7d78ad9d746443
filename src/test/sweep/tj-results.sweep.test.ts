import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';
import type { CreativeIds, ResultsFetch } from '../../platform/results-source.js';
import { TjResults } from '../../platform/tj/results/tj-results.js';
import type { RunningSimulator } from '../../simulators/tj/server.js';
import { testSimulator } from '../simulated-tj.js';
import { replayHint, sweepPoints, sweepSettings } from './sweep-plan.js';

/**
 * The fault sweep over TJ's reporting API: a fetch of three campaigns over two days runs once to
 * count its requests (R), then again with TJ failing every request from the Nth on, for each N:
 * the fetch must fail whole (never hand back part of the days) or give every figure exactly, and
 * the next fetch, once TJ answers again, must give every figure exactly, nothing counted twice.
 */

const settings = sweepSettings();
const KEY = 'sweep-tj-reporting-key';
const DAYS = ['2026-03-01', '2026-03-02'];
const ids: CreativeIds = {
  isOurs: (uniqueId) => /^ID-0000000[12]$/.test(uniqueId),
  uniqueIdOfExoFile: () => undefined,
};
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await testSimulator({ reporting: { apiKey: KEY } });
  for (const campaign of ['1', '2', '3']) {
    sim.reporting.seedCampaign({ id: campaign, name: `C${campaign}` });
    for (const n of [1, 2]) {
      sim.reporting.seedAd(campaign, { id: `${campaign}${n}`, name: `Ad_${campaign}_ID-0000000${n}` });
      for (const day of DAYS)
        sim.reporting.setAdStats(`${campaign}${n}`, day, {
          impressions: 100 * n,
          clicks: n,
          conversions: n,
          cost: 0.1 * n,
        });
    }
  }
  // An ad not ours: counted apart at every point.
  sim.reporting.seedAd('2', { id: '99', name: 'someone else' });
  for (const day of DAYS)
    sim.reporting.setAdStats('99', day, { impressions: 7, clicks: 0, conversions: 0, cost: 0.07 });
});

afterAll(async () => {
  await sim?.close();
});

function fetchOnce(): Promise<ResultsFetch> {
  return new TjResults({
    apiUrl: sim.apiUrl,
    apiKey: KEY,
    log: createLogger({ level: 'silent', pretty: false }),
    minIntervalMs: 0,
    retryBaseMs: 1,
    maxWaitMs: 5,
    maxAttempts: 2,
  }).fetchDays(DAYS, ids);
}

/** Every creative's row each day exactly as set (three campaigns each), and the one stranger apart. */
function problemsOf(fetched: ResultsFetch): string[] {
  const problems: string[] = [];
  for (const day of DAYS) {
    for (const n of [1, 2]) {
      const rows = fetched.rows.filter((row) => row.day === day && row.uniqueId === `ID-0000000${n}`);
      const row = rows[0];
      if (
        rows.length !== 1 ||
        row?.impressions !== 300 * n ||
        row.conversions !== 3 * n ||
        Math.round(row.cost * 100) !== 30 * n
      )
        problems.push(`ID-0000000${n} on ${day}: ${JSON.stringify(rows)}`);
    }
    const apart = fetched.notOurs.find((each) => each.day === day);
    if (apart?.items !== 1 || apart.impressions !== 7) problems.push(`not ours on ${day}: ${JSON.stringify(apart)}`);
  }
  return problems;
}

describe('TJ reporting fault sweep', () => {
  it('a fetch that TJ stops answering at any request fails whole, and the next one gives every figure exactly once', async () => {
    sim.reporting.configure({ failFromRequest: undefined });
    const before = sim.reporting.state.requests;
    expect(problemsOf(await fetchOnce())).toEqual([]);
    const requests = sim.reporting.state.requests - before;
    const points = sweepPoints(requests, requests, settings, 41);
    const failures: string[] = [];
    let failedWhole = 0;
    for (const at of points) {
      sim.reporting.configure({ failFromRequest: sim.reporting.state.requests + at });
      const struck = await fetchOnce().catch((error: unknown) => error);
      if (struck instanceof Error) failedWhole += 1;
      else
        failures.push(
          ...problemsOf(struck as ResultsFetch).map(
            (problem) => `${replayHint(settings, 'TJ results', `TJ failing from request ${at}`)}: ${problem}`,
          ),
        );
      sim.reporting.configure({ failFromRequest: undefined });
      failures.push(
        ...problemsOf(await fetchOnce()).map(
          (problem) => `${replayHint(settings, 'TJ results', `after TJ failed from request ${at}`)}: ${problem}`,
        ),
      );
    }
    console.log(
      `TJ results sweep: R=${requests}; TJ failing from request ${points.join(' ')}; ${failedWhole} fetches failed whole, none gave part of the days`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    expect(failedWhole).toBe(points.length);
  });
});

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXO_PROFILE } from '../../config/profile.js';
import { createLogger } from '../../core/logger.js';
import { USER_AGENT } from '../../core/product.js';
import type { ExoSimulatorOptions } from '../../simulators/exoclick/options.js';
import { startExoSimulator, type RunningExoSimulator } from '../../simulators/exoclick/server.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { tempRoot, waitFor } from '../../test/fixtures.js';
import type { CreativeIds } from '../results-source.js';
import { ExoUploader } from './exo-uploader.js';

/**
 * Issue 29: statistics calls have their own rate-limit bucket (STATS-CONTRACT.md). One transport
 * carries uploads and statistics; a storm of 429s on either bucket holds back only its own calls.
 * Order, not time, is asserted: the requests in the order the simulator saw them.
 */

const log = createLogger({ level: 'silent', pretty: false });
const TOKEN = 'sim-exo-token';
const CAMPAIGN = 5_100_001;
const DAYS = ['2025-04-01', '2025-04-02'];
const ids: CreativeIds = {
  isOurs: (id) => id === 'ID-CCCC0003',
  uniqueIdOfExoFile: (fileId) => (fileId === '7003' ? 'ID-CCCC0003' : undefined),
};
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A simulator with one of our variations and one not ours, figures on two days; every request's path and answer kept in order. */
async function start(options: Partial<ExoSimulatorOptions>): Promise<{ sim: RunningExoSimulator; seen: string[] }> {
  const sim = await startExoSimulator({ port: 0, apiTokens: [TOKEN], ...options });
  closers.push(() => sim.close());
  const ours = sim.addVariationByPerson(CAMPAIGN, { name: 'C', idvariations_file: 7003 });
  const theirs = sim.addVariationByPerson(CAMPAIGN, { name: 'other', idvariations_file: 9001 });
  sim.setVariationStats(ours, DAYS[0] as string, { impressions: 1234, clicks: 56, cost: 7.89, goals: { g: 3 } });
  sim.setVariationStats(ours, DAYS[1] as string, { impressions: 10, clicks: 1, cost: 0.11 });
  sim.setVariationStats(theirs, DAYS[1] as string, { impressions: 99, clicks: 9, cost: 0.99, goals: { g: 1 } });
  const seen: string[] = [];
  sim.onRequest((request) => seen.push(`${request.method} ${request.path}`));
  return { sim, seen };
}

const EXPECTED = {
  rows: [
    { uniqueId: 'ID-CCCC0003', day: '2025-04-01', impressions: 1234, clicks: 56, conversions: 3, cost: 7.89 },
    { uniqueId: 'ID-CCCC0003', day: '2025-04-02', impressions: 10, clicks: 1, conversions: 0, cost: 0.11 },
  ],
  notOurs: [{ day: '2025-04-02', items: 1, impressions: 99, clicks: 9, conversions: 1, cost: 0.99 }],
};

async function open(sim: RunningExoSimulator): Promise<ExoUploader> {
  return ExoUploader.open(
    { apiUrl: `${sim.url}/v2/`, apiToken: TOKEN, fileTypes: EXO_PROFILE.fileTypes, userAgent: USER_AGENT },
    { storage: new StorageRepository(), log, retryBaseMs: 5 },
  );
}

async function images(count: number): Promise<{ path: string; name: string }[]> {
  const dir = await tempRoot();
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `IMG_EN_Bucket_F_Real_SFW_Test_Me_ID-0000001${i}`;
      await fs.writeFile(path.join(dir, `${name}.png`), randomBytes(400 + i));
      return { path: path.join(dir, `${name}.png`), name };
    }),
  );
}

const STATS = 'POST /v2/statistics/a/global';
const UPLOAD = 'POST /v2/library/file';

describe('ExoClick statistics in their own rate-limit bucket', () => {
  it('uploads go on while the statistics bucket waits out a storm of 429s, and the figures come out exact', async () => {
    // Each planned 429 spends the statistics window (1 s), so the fetch waits out three windows.
    const { sim, seen } = await start({
      statisticsRateLimit: { limit: 1_000, windowSeconds: 1 },
      statisticsFaultPlan: ['rate-limited', 'rate-limited', 'rate-limited'],
    });
    const uploader = await open(sim);
    const fetching = uploader.results({ pageSize: 1 }).fetchDays(DAYS, ids);
    await waitFor(() => sim.state().statistics.rateLimited >= 1, 10_000, 'the first statistics 429');
    const files = await images(3);
    const uploads = await uploader.upload('static-banner', files);
    expect([...uploads.values()].map((result) => result.status)).toEqual(['uploaded', 'uploaded', 'uploaded']);
    expect(await fetching).toEqual(EXPECTED);
    // Every upload reached ExoClick between the first 429 and the statistics request after it.
    const first429 = seen.indexOf(STATS);
    const nextStats = seen.indexOf(STATS, first429 + 1);
    const uploadsAt = seen.flatMap((request, index) => (request === UPLOAD ? [index] : []));
    expect(uploadsAt).toHaveLength(3);
    expect(uploadsAt.every((index) => index > first429 && index < nextStats)).toBe(true);
    const state = sim.state();
    expect(state.statistics.rateLimited).toBe(3);
    // Neither bucket was asked before its reset.
    expect([state.tooEarly, state.statistics.tooEarly]).toEqual([0, 0]);
  });

  it('statistics go on while the API bucket waits out a 429, and the figures come out exact', async () => {
    const { sim, seen } = await start({
      rateLimit: { limit: 1_000, windowSeconds: 2 },
      uploadFaultPlan: ['rate-limited'],
    });
    const uploader = await open(sim);
    const uploading = uploader.upload('static-banner', await images(1));
    await waitFor(() => sim.state().faults.rateLimited >= 1, 10_000, 'the upload 429');
    const refusedAt = seen.length;
    const fetching = uploader.results({ pageSize: 1 }).fetchDays(DAYS, ids);
    expect(await fetching).toEqual(EXPECTED);
    expect([...(await uploading).values()].map((result) => result.status)).toEqual(['uploaded']);
    // After the 429, every statistics page (three rows, pages of one: four) came before any request of the API bucket.
    const after = seen.slice(refusedAt);
    const firstApi = after.findIndex((request) => request !== STATS);
    expect(after.slice(0, firstApi)).toEqual([STATS, STATS, STATS, STATS]);
    expect(after.filter((request) => request === STATS)).toHaveLength(4);
    expect([sim.state().tooEarly, sim.state().statistics.tooEarly]).toEqual([0, 0]);
  });

  it('waits out a statistics window with none remaining before the next page, never sending early, without a 429', async () => {
    const { sim } = await start({
      statisticsRateLimit: { limit: 2, windowSeconds: 2 },
      rateLimit: { limit: 1_000, windowSeconds: 900 },
    });
    const uploader = await open(sim);
    const results = uploader.results({ pageSize: 1 });
    // Four statistics pages in windows of two: the fetch waits for a reset, never sent early, never refused.
    expect(await results.fetchDays(DAYS, ids)).toEqual(EXPECTED);
    const state = sim.state();
    expect(state.statistics).toMatchObject({ requests: 4, rateLimited: 0, tooEarly: 0 });
    expect(state.faults.rateLimited).toBe(0);
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { Layout } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import { LoginRequiredError } from '../platform/uploader.js';
import { NATIVE_HEADER } from '../core/campaign-format.js';
import { CampaignAdsRepository } from '../store/campaign-ads.repository.js';
import { CheckpointRepository } from '../store/checkpoint.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { FakePlatform } from '../test/fake-platform.js';
import { tempRoot } from '../test/fixtures.js';
import { CampaignAdsService, type CreateAds } from './campaign-ads.service.js';
import { campaignJob, type CampaignJob } from './campaign-job.js';
import { renderResultsCsv } from './results-csv.js';
import { RunCheckpoint } from './run-checkpoint.js';

const log = createLogger({ level: 'silent', pretty: false });
const storage = new StorageRepository();

function job(
  campaignId: string,
  ads: [name: string, video: string, thumbnail: string][],
  source = `tracking/Upload_CSV/${campaignId}.csv`,
): CampaignJob {
  const rows = ads.map(([name, video, thumbnail]) => ({
    'Ad Name': name,
    'Target URL': 'https://x.test',
    'Video Creative ID': video,
    'Thumbnail Creative ID': thumbnail,
    Headline: 'H',
    'Brand Name': 'B',
  }));
  return campaignJob(campaignId, `Campaign ${campaignId}`, source, {
    kind: 'native',
    header: [...NATIVE_HEADER],
    rows,
    problems: [],
  });
}

async function setup() {
  const root = await tempRoot();
  const layout = new Layout(root);
  const platform = new FakePlatform();
  for (const id of ['1001', '1002', '1003']) platform.campaigns.set(id, { name: `TJ ${id}`, ads: new Map() });
  const ads = await CampaignAdsRepository.open(layout.db, storage);
  const checkpoints = new CheckpointRepository(layout, storage);
  const calls: string[] = [];
  const createAds: CreateAds = (campaignId, request) => {
    calls.push(campaignId);
    return platform.createAds(campaignId, request);
  };
  return { root, layout, platform, ads, checkpoints, service: new CampaignAdsService(ads, log), createAds, calls };
}

const JOBS = [
  job('1001', [['A1_ID-00000001', '11', '12']]),
  job('1002', [
    ['B1_ID-00000002', '21', '22'],
    ['B2_ID-00000003', '666', '23'],
  ]),
  job('1003', [['C1_ID-00000004', '31', '32']]),
];

describe('CampaignAdsService', () => {
  it('creates each campaign once, drops and records the ads TJ refuses, and keeps a checkpoint after every campaign', async () => {
    const t = await setup();
    t.platform.invalidCreatives.add('666');
    const checkpoint = await RunCheckpoint.begin(t.checkpoints, false);
    const run = await t.service.run(JOBS, checkpoint, t.createAds, { dryRun: false, retryFailed: false });
    expect(run.results.map((each) => each.result)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(t.calls).toEqual(['1001', '1002', '1003']);
    const saved = await t.checkpoints.read(checkpoint.name);
    expect(saved?.campaigns['1002|tracking/Upload_CSV/1002.csv']).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      campaignName: 'TJ 1002',
      created: ['B1_ID-00000002'],
      invalidIds: ['666'],
      refused: [{ adName: 'B2_ID-00000003' }],
    });
    expect((await fs.stat(path.join(t.layout.checkpointsDir, `${checkpoint.name}.json`))).mode & 0o777).toBe(0o600);
    // The inventory's campaign ids, and the day's created and refused ads for the report.
    expect(t.ads.campaignsOf('21')).toEqual(['1002']);
    expect(t.ads.campaignsOf('666')).toEqual([]);
    const today = await t.ads.onDate(new Date().toLocaleDateString('sv'));
    expect(today.map((ad) => `${ad.status}:${ad.adName}`).sort()).toEqual([
      'created:A1_ID-00000001',
      'created:B1_ID-00000002',
      'created:C1_ID-00000004',
      'refused:B2_ID-00000003',
    ]);
    const results = parse<Record<string, string>>(renderResultsCsv(run.results), { columns: true, bom: true });
    expect(results.map((row) => [row.campaign_id, row.ad_name, row.creative_ids, row.status])).toEqual([
      ['1001', 'A1_ID-00000001', '11 12', 'created'],
      ['1002', 'B1_ID-00000002', '21 22', 'created'],
      ['1002', 'B2_ID-00000003', '666 23', 'refused'],
      ['1003', 'C1_ID-00000004', '31 32', 'created'],
    ]);
  });

  it('resumes from the last run: skips what succeeded with the same CSV, redoes a changed CSV, retries failures only when asked; --fresh starts over', async () => {
    const t = await setup();
    t.platform.campaignFailures.set('1003', 1);
    await t.service.run(JOBS, await RunCheckpoint.begin(t.checkpoints, false), t.createAds, {
      dryRun: false,
      retryFailed: false,
    });
    expect(t.calls).toEqual(['1001', '1002', '1003']);

    const changed = [
      JOBS[0],
      job('1002', [
        ['B1_ID-00000002', '21', '22'],
        ['B3_ID-00000005', '24', '25'],
      ]),
      JOBS[2],
    ].filter((each) => each !== undefined);
    const second = await t.service.run(changed, await RunCheckpoint.begin(t.checkpoints, false), t.createAds, {
      dryRun: false,
      retryFailed: false,
    });
    expect(second.results.map((each) => each.result)).toEqual(['skipped', 'succeeded', 'skipped']);
    expect(second.results[2]?.reason).toMatch(/failed before .*--retry-failed/);
    expect(t.calls).toEqual(['1001', '1002', '1003', '1002']);

    const third = await t.service.run(changed, await RunCheckpoint.begin(t.checkpoints, false), t.createAds, {
      dryRun: false,
      retryFailed: true,
    });
    expect(third.results.map((each) => each.result)).toEqual(['skipped', 'skipped', 'succeeded']);
    expect(third.results[2]?.progress?.attempts).toBe(2);

    const fresh = await t.service.run(changed, await RunCheckpoint.begin(t.checkpoints, true), t.createAds, {
      dryRun: false,
      retryFailed: false,
    });
    expect(fresh.results.map((each) => each.result)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(fresh.results[0]?.progress?.alreadyThere).toEqual(['A1_ID-00000001']);
    // Every ad exists once, however many runs looked at it.
    for (const campaign of t.platform.campaigns.values())
      expect([...campaign.ads.values()].every((times) => times === 1)).toBe(true);
    expect(await t.checkpoints.runs()).toHaveLength(4);
  });

  it('in a dry run says what a live run would do, and writes no checkpoint', async () => {
    const t = await setup();
    await t.service.run(JOBS.slice(0, 1), await RunCheckpoint.begin(t.checkpoints, false), t.createAds, {
      dryRun: false,
      retryFailed: false,
    });
    const before = await fs.readdir(t.layout.checkpointsDir);
    const bytes = await fs.readFile(path.join(t.layout.checkpointsDir, before[0] ?? ''));
    const plan = await t.service.run(JOBS, await RunCheckpoint.begin(t.checkpoints, false), t.createAds, {
      dryRun: true,
      retryFailed: false,
    });
    expect(plan.results.map((each) => each.result)).toEqual(['skipped', 'would-run', 'would-run']);
    expect(t.calls).toEqual(['1001']);
    expect(await fs.readdir(t.layout.checkpointsDir)).toEqual(before);
    expect(await fs.readFile(path.join(t.layout.checkpointsDir, before[0] ?? ''))).toEqual(bytes);
  });

  it('stops the run when TJ asks for a login; the campaign under way resumes next time, its attempt not counted', async () => {
    const t = await setup();
    let logins = 0;
    const loginOnSecond: CreateAds = async (campaignId, request) => {
      if (campaignId === '1002' && logins++ === 0) throw new LoginRequiredError('the session died');
      return t.createAds(campaignId, request, 'tj');
    };
    const first = await t.service.run(JOBS, await RunCheckpoint.begin(t.checkpoints, false), loginOnSecond, {
      dryRun: false,
      retryFailed: false,
    });
    expect(first.results.map((each) => each.result)).toEqual(['succeeded', 'waiting', 'waiting']);
    expect(first.stopped).toMatch(/session died/);
    expect(first.results[1]?.progress).toMatchObject({ status: 'pending', attempts: 0 });
    const second = await t.service.run(JOBS, await RunCheckpoint.begin(t.checkpoints, false), loginOnSecond, {
      dryRun: false,
      retryFailed: false,
    });
    expect(second.results.map((each) => each.result)).toEqual(['skipped', 'succeeded', 'succeeded']);
    expect(second.results[1]?.progress?.attempts).toBe(1);
  });

  it('names a damaged checkpoint and the ways out, instead of starting over silently', async () => {
    const t = await setup();
    await fs.mkdir(t.layout.checkpointsDir, { recursive: true });
    await fs.writeFile(path.join(t.layout.checkpointsDir, 'run_20261122_120000.json'), '{"version":1,"na');
    await expect(RunCheckpoint.begin(t.checkpoints, false)).rejects.toMatchObject({
      plain: expect.stringMatching(/run_20261122_120000\.json is not valid JSON.*--fresh/),
    });
    expect((await RunCheckpoint.begin(t.checkpoints, true)).resumedFrom).toBeUndefined();
  });
});

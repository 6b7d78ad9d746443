import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Layout, rootPath } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import type { Checkpoint } from '../core/campaigns.js';
import type { ArchivedBatch } from '../core/outcomes.js';
import type { CreativeRecord } from '../core/record.js';
import { CampaignAdsRepository } from '../store/campaign-ads.repository.js';
import { CheckpointRepository } from '../store/checkpoint.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { FakePlatform } from '../test/fake-platform.js';
import { tempRoot } from '../test/fixtures.js';
import { CampaignAdsService } from './campaign-ads.service.js';
import { CampaignTargetsFile } from './campaign-targets.js';
import { HandsOffService } from './hands-off.service.js';

const log = createLogger({ level: 'silent', pretty: false });
const storage = new StorageRepository();

function nativeRecord(key: string, folder: string, videoId: string, imageId: string): CreativeRecord {
  const upload = (creativeId: string) => ({
    status: 'uploaded' as const,
    creativeId,
    batch: 1,
    at: '2026-11-22T10:00:00.000Z',
  });
  const output = (role: 'video' | 'image', name: string, creativeId: string) => ({
    role,
    path: rootPath(`archive/batch_001-2026-11-22/Native/${name}`),
    bytes: 1,
    width: 640,
    height: 360,
    format: 'mp4',
    converted: true,
    uploads: { tj: upload(creativeId) },
  });
  return {
    key,
    state: 'archived',
    attempts: 0,
    times: {},
    kind: 'native',
    source: { path: rootPath(`inbox/native/${folder}/${key}.mp4`), size: 1, mtimeMs: 1 },
    outputs: [
      output('video', `VID_${key}_ID-0000000${key.length}-VID.mp4`, videoId),
      output('image', `IMG_${key}-IMG.png`, imageId),
    ],
  };
}

async function setup(maxAttempts: number) {
  const layout = new Layout(await tempRoot());
  await fs.mkdir(layout.uploadCsvDir, { recursive: true });
  await fs.writeFile(layout.campaignTargetsCsv, 'folder,category,campaign_id,ad_type\nPromo,,1001,native\n');
  const csv = path.join(layout.uploadCsvDir, 'Batch001_20261122_100000_Native.csv');
  await fs.writeFile(
    csv,
    '"Ad Name","Target URL","Video Creative ID","Thumbnail Creative ID","Headline","Brand Name"\n"VID_a","https://x.test","11","12","H","B"\n"VID_b","https://x.test","21","22","H","B"\n',
  );
  const batch: ArchivedBatch = {
    batch: 1,
    dir: rootPath('archive/batch_001-2026-11-22'),
    stamp: '20261122_100000',
    records: [nativeRecord('a', 'Promo', '11', '12'), nativeRecord('b', 'Other', '21', '22')],
  };
  const platform = new FakePlatform();
  platform.campaigns.set('1001', { name: 'Promo campaign', ads: new Map() });
  const checkpoints = new CheckpointRepository(layout, storage);
  const targets = new CampaignTargetsFile(layout.campaignTargetsCsv, storage, () => undefined);
  const service = new HandsOffService({
    layout,
    storage,
    targets,
    checkpoints,
    campaigns: new CampaignAdsService(await CampaignAdsRepository.open(layout.db, storage), log),
    log,
    options: { maxAttempts },
  });
  return { root: layout.root, service, batch, csv, platform, createAds: platform.createAds.bind(platform) };
}

describe('HandsOffService', () => {
  it('queues only the ads of the creatives a rule names, with their rows, and creates them on the next pass', async () => {
    const t = await setup(3);
    expect(await t.service.hasWork()).toBe(false);
    expect(await t.service.queueBatch(t.batch, [t.csv])).toBe(1);
    // Queued again after a crash before the batch was marked done: nothing changes.
    expect(await t.service.queueBatch(t.batch, [t.csv])).toBe(1);
    expect(await t.service.hasWork()).toBe(true);
    const run = await t.service.run(t.createAds, { dryRun: false, ignoreLimit: false });
    expect(run.results.map((each) => each.result)).toEqual(['succeeded']);
    expect([...(t.platform.campaigns.get('1001')?.ads.keys() ?? [])]).toEqual(['VID_a']);
    expect(await t.service.hasWork()).toBe(false);
    // Done: its rows are dropped, and housekeeping forgets it once past the retention.
    const saved = JSON.parse(
      await fs.readFile(path.join(t.root, 'data', 'checkpoints', 'hands-off.json'), 'utf8'),
    ) as Checkpoint;
    expect(Object.values(saved.campaigns).map((entry) => [entry.status, entry.csv])).toEqual([
      ['succeeded', undefined],
    ]);
    expect(await t.service.forgetDone(Date.now() - 86_400_000)).toBe(0);
    expect(await t.service.forgetDone(Date.now() + 1)).toBe(1);
    expect(await t.service.stuck()).toEqual([]);
  });

  it('retries a failing campaign on the next passes up to the limit, then lists it for a person; asked, it runs past the limit', async () => {
    const t = await setup(2);
    t.platform.campaignFailures.set('1001', 2);
    await t.service.queueBatch(t.batch, [t.csv]);
    for (const pass of [1, 2]) {
      const run = await t.service.run(t.createAds, { dryRun: false, ignoreLimit: false });
      expect(
        run.results.map((each) => [each.result, each.progress?.attempts]),
        `pass ${pass}`,
      ).toEqual([['failed', pass]]);
    }
    expect(await t.service.hasWork()).toBe(false);
    expect((await t.service.run(t.createAds, { dryRun: false, ignoreLimit: false })).results).toEqual([]);
    expect(await t.service.stuck()).toEqual([
      {
        campaignId: '1001',
        source: 'tracking/Upload_CSV/Batch001_20261122_100000_Native.csv',
        attempts: 2,
        error: 'creating ads in campaign 1001 failed',
      },
    ]);
    const asked = await t.service.run(t.createAds, { dryRun: false, ignoreLimit: true });
    expect(asked.results.map((each) => [each.result, each.progress?.attempts])).toEqual([['succeeded', 3]]);
    expect(await t.service.stuck()).toEqual([]);
    expect(t.platform.campaigns.get('1001')?.ads.get('VID_a')).toBe(1);
  });

  it('is off while no rule exists: nothing is queued', async () => {
    const t = await setup(3);
    await fs.rm(path.join(path.dirname(t.csv), '..', 'campaign_targets.csv'));
    expect(await t.service.queueBatch(t.batch, [t.csv])).toBe(0);
    expect(await t.service.hasWork()).toBe(false);
  });

  it('loses nothing queued while the queue runs: one writer of the checkpoint at a time', async () => {
    const t = await setup(3);
    expect(await t.service.queueBatch(t.batch, [t.csv])).toBe(1);
    // A rule for the other creative arrives; its batch is queued while the first campaign is being created.
    const targets = path.join(t.root, 'tracking', 'campaign_targets.csv');
    await fs.writeFile(targets, 'folder,category,campaign_id,ad_type\nPromo,,1001,native\nOther,,1002,native\n');
    await fs.utimes(targets, new Date(), new Date(Date.now() + 5_000));
    t.platform.campaigns.set('1002', { name: 'Other campaign', ads: new Map() });
    let queued: Promise<number> | undefined;
    const slowCreate: typeof t.createAds = async (campaignId, ads) => {
      queued ??= t.service.queueBatch(t.batch, [t.csv]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return t.createAds(campaignId, ads);
    };
    const run = await t.service.run(slowCreate, { dryRun: false, ignoreLimit: false });
    expect(run.results.map((each) => each.result)).toEqual(['succeeded']);
    expect(await queued).toBe(2);
    const saved = JSON.parse(
      await fs.readFile(path.join(t.root, 'data', 'checkpoints', 'hands-off.json'), 'utf8'),
    ) as Checkpoint;
    const entries = Object.values(saved.campaigns);
    expect(entries.find((entry) => entry.campaignId === '1002')?.status).toBe('pending');
    expect(entries.find((entry) => entry.campaignId === '1001')?.status).toBe('succeeded');
    expect(await t.service.hasWork()).toBe(true);
  });
});

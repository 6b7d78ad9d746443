import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../core/campaigns.js';
import { openMedia } from '../media/ffmpeg-binaries.js';
import { NATIVE_HEADER, PREROLL_HEADER } from '../core/campaign-format.js';
import { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from '../simulators/tj/options.js';
import { startSimulator, type RunningSimulator, type SimState } from '../simulators/tj/server.js';
import { runCli, startCli, startDaemon } from './cli-runner.js';
import { makeVideo, tempRoot, waitFor } from './fixtures.js';

const media = openMedia();

/** Three campaigns, and creatives in the library for them: native videos and thumbnails, and in-stream videos. */
async function simulator(
  overrides: Partial<SimulatorOptions> = {},
): Promise<{ sim: RunningSimulator; ids: Record<string, string> }> {
  const sim = await startSimulator(
    {
      ...DEFAULT_SIMULATOR_OPTIONS,
      port: 0,
      noCaptcha: true,
      productTour: false,
      sessionCheckMs: 100,
      gridDelayMs: 50,
      leftoverModal: true,
      campaigns: [
        { id: '1001', name: 'Native One', type: 'native' },
        { id: '1002', name: 'Native Two', type: 'native' },
        { id: '1003', name: 'Preroll Three', type: 'preroll' },
      ],
      ...overrides,
    },
    media,
  );
  const ids: Record<string, string> = {};
  for (const n of [1, 2, 3, 4, 5, 6]) {
    ids[`v${n}`] = sim.library.add({
      name: `v${n}`,
      fileType: '.mp4',
      dimensions: '640x360',
      tab: 'native',
      nativeType: 1,
      sha256: `v${n}`,
      uploadDate: '2026-11-01',
    }).id;
    ids[`i${n}`] = sim.library.add({
      name: `i${n}`,
      fileType: '.png',
      dimensions: '640x360',
      tab: 'native',
      nativeType: 0,
      sha256: `i${n}`,
      uploadDate: '2026-11-01',
    }).id;
  }
  ids.p1 = sim.library.add({
    name: 'p1',
    fileType: '',
    dimensions: '',
    tab: 'in_stream_video',
    nativeType: 0,
    sha256: 'p1',
    uploadDate: '2026-11-01',
  }).id;
  return { sim, ids };
}

function liveEnv(sim: RunningSimulator): Record<string, string> {
  return {
    TJ_LOGIN_URL: `${sim.url}/sign-in`,
    TJ_APP_URL: sim.url,
    TJ_USERNAME: 'demo',
    TJ_PASSWORD: 'demo-password',
    DRY_RUN: 'false',
  };
}

async function campaigns(sim: RunningSimulator): Promise<SimState['campaigns']> {
  return ((await (await fetch(`${sim.url}/_sim/state`)).json()) as SimState).campaigns;
}

/** Every ad of every campaign, as `campaign:name` → times created. */
async function adsCreated(sim: RunningSimulator): Promise<Record<string, number>> {
  return Object.fromEntries(
    (await campaigns(sim)).flatMap((campaign) => campaign.ads.map((ad) => [`${campaign.id}:${ad.name}`, ad.created])),
  );
}

const csvLine = (cells: readonly string[]): string => cells.map((cell) => `"${cell}"`).join(',');
const nativeCsv = (ads: [string, string, string][]): string =>
  [
    csvLine(NATIVE_HEADER),
    ...ads.map(([name, video, image]) =>
      csvLine([name, 'https://x.test/?c={CampaignID}&sub11=CAMPAIGN_NAME', video, image, 'Hot', 'Brand']),
    ),
  ].join('\n');
const prerollCsv = (ads: [string, string][]): string =>
  [
    PREROLL_HEADER.join(','),
    ...ads.map(([name, id]) => `${name},https://x.test/,${id},Watch,https://x.test/cta,,,,,`),
  ].join('\n');

/** A root with three campaign CSVs (one holding a creative TJ calls not valid) and the mapping. */
async function rootFor(ids: Record<string, string>): Promise<string> {
  const root = await tempRoot();
  const dir = path.join(root, 'tracking', 'Upload_CSV');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(
    path.join(dir, 'Batch001_20261122_100000_Native.csv'),
    nativeCsv([
      ['VID_A_ID-0000000A-VID', ids.v1 ?? '', ids.i1 ?? ''],
      ['VID_B_ID-0000000B-VID', ids.v2 ?? '', ids.i2 ?? ''],
    ]),
  );
  await fs.writeFile(
    path.join(dir, 'Batch002_20261122_110000_Native.csv'),
    nativeCsv([
      ['VID_C_ID-0000000C-VID', ids.v3 ?? '', ids.i3 ?? ''],
      ['VID_BAD_ID-0000000D-VID', ids.p1 ?? '', ids.i4 ?? ''],
      ['VID_E_ID-0000000E-VID', ids.v5 ?? '', ids.i5 ?? ''],
    ]),
  );
  await fs.writeFile(
    path.join(dir, 'Batch003_20261122_120000_Preroll.csv'),
    prerollCsv([['EN_Pre_ID-0000000F', ids.p1 ?? '']]),
  );
  await fs.writeFile(
    path.join(root, 'tracking', 'campaign_mapping.csv'),
    'campaign_id,csv_filename,campaign_name,enabled\n1001,Batch001_20261122_100000_Native.csv,One,True\n1002,Batch002_20261122_110000_Native.csv,Two,True\n1003,Batch003_20261122_120000_Preroll.csv,Three,True\n',
  );
  return root;
}

/** The mapping's ads once each, the one TJ calls not valid left out. */
const EVERY_AD_ONCE = {
  '1001:VID_A_ID-0000000A-VID': 1,
  '1001:VID_B_ID-0000000B-VID': 1,
  '1002:VID_C_ID-0000000C-VID': 1,
  '1002:VID_E_ID-0000000E-VID': 1,
  '1003:EN_Pre_ID-0000000F': 1,
};

async function checkpointFiles(root: string): Promise<Map<string, Buffer>> {
  const dir = path.join(root, 'data', 'checkpoints');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return new Map(
    await Promise.all(
      names.map(async (name): Promise<[string, Buffer]> => [name, await fs.readFile(path.join(dir, name))]),
    ),
  );
}

async function latestCheckpoint(root: string): Promise<Checkpoint> {
  const names = [...(await checkpointFiles(root)).keys()].filter((name) => name.startsWith('run_')).sort();
  return JSON.parse(
    await fs.readFile(path.join(root, 'data', 'checkpoints', names.at(-1) ?? ''), 'utf8'),
  ) as Checkpoint;
}

async function resultsRows(root: string): Promise<Record<string, string>[]> {
  const dir = path.join(root, 'tracking', 'campaigns');
  const latest = (await fs.readdir(dir)).sort().at(-1) ?? '';
  return parse<Record<string, string>>(await fs.readFile(path.join(dir, latest), 'utf8'), { columns: true, bom: true });
}

describe('campaigns create against the simulator (real Chromium)', () => {
  let sim: RunningSimulator;
  let ids: Record<string, string>;
  let root: string;
  beforeAll(async () => {
    ({ sim, ids } = await simulator());
    root = await rootFor(ids);
  });
  afterAll(() => sim.close());

  it('refuses a mapping with bad rows, naming their lines, and creates nothing', async () => {
    const bad = path.join(root, 'bad_mapping.csv');
    await fs.writeFile(
      bad,
      'campaign_id,csv_filename,campaign_name,enabled\n1001,Batch001_20261122_100000_Native.csv,One,True\nx12,Batch001_20261122_100000_Native.csv,Bad,True\n1002,nowhere.csv,Gone,True\n',
    );
    const result = await runCli(['campaigns', 'create', '--mapping', bad, '--root', root], liveEnv(sim));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /bad_mapping\.csv has 2 rows that cannot run:\n\s+line 3: campaign_id "x12" is not a number\n\s+line 4: nowhere\.csv is not in tracking\/Upload_CSV\/[\s\S]*--skip-invalid/,
    );
    expect(await adsCreated(sim)).toEqual({});
    expect((await checkpointFiles(root)).size).toBe(0);
  });

  it('creates three campaigns through the preview and the confirm; the invalid creative is dropped, recorded, and the rest created once', async () => {
    const result = await runCli(['campaigns', 'create', '--root', root], liveEnv(sim));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ 1002 Native Two .*: succeeded, 2 created, 1 refused/);
    expect(result.stdout).toMatch(/Summary: 3 succeeded, 0 failed, 0 skipped\.\n\s+creatives TJ called not valid: /);
    expect(await adsCreated(sim)).toEqual(EVERY_AD_ONCE);
    // CAMPAIGN_NAME in a URL became the campaign's name on TJ.
    expect((await campaigns(sim))[0]?.ads[0]?.targetUrl).toBe('https://x.test/?c={CampaignID}&sub11=Native%20One');
    const entry = (await latestCheckpoint(root)).campaigns[
      '1002|tracking/Upload_CSV/Batch002_20261122_110000_Native.csv'
    ];
    expect(entry).toMatchObject({
      status: 'succeeded',
      campaignName: 'Native Two',
      created: ['VID_C_ID-0000000C-VID', 'VID_E_ID-0000000E-VID'],
      invalidIds: [ids.p1],
      attempts: 1,
    });
    expect(entry?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const rows = await resultsRows(root);
    expect(rows.map((row) => `${row.campaign_id} ${row.ad_name} ${row.status}`)).toEqual([
      '1001 VID_A_ID-0000000A-VID created',
      '1001 VID_B_ID-0000000B-VID created',
      '1002 VID_C_ID-0000000C-VID created',
      '1002 VID_BAD_ID-0000000D-VID refused',
      '1002 VID_E_ID-0000000E-VID created',
      '1003 EN_Pre_ID-0000000F created',
    ]);
    expect(rows[3]?.reason).toContain(ids.p1);
    // The daily report lists the ads created and the one refused.
    expect((await runCli(['report', '--root', root])).code).toBe(0);
    const report = await fs.readFile(
      path.join(root, 'tracking', 'reports', `daily_${new Date().toLocaleDateString('sv')}.md`),
      'utf8',
    );
    expect(report).toMatch(
      /## Ads created in campaigns\n\n- \*\*Native One \(1001\)\*\*: `VID_A_ID-0000000A-VID`, `VID_B_ID-0000000B-VID`/,
    );
    expect(report).toMatch(
      /## Ads TJ refused\n\n- \*\*Native Two\*\* \(1002\) `VID_BAD_ID-0000000D-VID`: TJ: creative \d+ is not valid/,
    );
  });

  it('a dry run reads the checkpoint, says every campaign is done, and leaves it byte-identical', async () => {
    const before = await checkpointFiles(root);
    const result = await runCli(['campaigns', 'create', '--root', root], { ...liveEnv(sim), DRY_RUN: 'true' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Dry run: 0 campaign\(s\) would run, 3 skipped/);
    expect(await checkpointFiles(root)).toEqual(before);
    // The live run after it still finds every campaign done.
    const live = await runCli(['campaigns', 'create', '--root', root], liveEnv(sim));
    expect(live.stdout).toMatch(/Summary: 0 succeeded, 0 failed, 3 skipped/);
    expect(Object.values(await adsCreated(sim)).every((times) => times === 1)).toBe(true);
  });

  it('--fresh starts over: every campaign is looked at again, and what its table shows is not sent again', async () => {
    const result = await runCli(
      ['campaigns', 'create', '--fresh', '--only', '1001,1003', '--root', root],
      liveEnv(sim),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ 1001 Native One .*: succeeded, 0 created, 2 already there/);
    expect((await latestCheckpoint(root)).resumedFrom).toBeUndefined();
    expect((await resultsRows(root)).map((row) => row.status)).toEqual([
      'already_there',
      'already_there',
      'already_there',
    ]);
    expect(Object.values(await adsCreated(sim)).every((times) => times === 1)).toBe(true);
  });
});

describe('campaigns create through faults (real Chromium)', () => {
  it('--retry-failed runs again the campaigns a 5xx failed; without it they are skipped and nothing is sent', async () => {
    const { sim, ids } = await simulator({ createErrorRate: 1 });
    try {
      const root = await rootFor(ids);
      const failed = await runCli(['campaigns', 'create', '--only', '1001', '--root', root], liveEnv(sim));
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(
        /✗ 1001 .*: failed, 0 created: 2 ads were not created: Something went wrong while creating the ads \(500\)/,
      );
      expect(await adsCreated(sim)).toEqual({});
      sim.configure({ createErrorRate: 0 });
      const skipped = await runCli(['campaigns', 'create', '--only', '1001', '--root', root], liveEnv(sim));
      expect(skipped.stdout).toMatch(/– 1001 .*: skipped: failed before .*--retry-failed tries it again/);
      expect(await adsCreated(sim)).toEqual({});
      const retried = await runCli(
        ['campaigns', 'create', '--only', '1001', '--retry-failed', '--root', root],
        liveEnv(sim),
      );
      expect(retried.code, retried.stderr).toBe(0);
      expect(await adsCreated(sim)).toEqual({ '1001:VID_A_ID-0000000A-VID': 1, '1001:VID_B_ID-0000000B-VID': 1 });
      expect(
        (await latestCheckpoint(root)).campaigns['1001|tracking/Upload_CSV/Batch001_20261122_100000_Native.csv'],
      ).toMatchObject({ status: 'succeeded', attempts: 2 });
    } finally {
      await sim.close();
    }
  });

  it('kill -9 mid-campaign, then a restart: every campaign gets its ads exactly once', async () => {
    // Slow grids: the kill lands after TJ created a campaign's ads and before the run recorded them.
    const { sim, ids } = await simulator({ gridDelayMs: 600 });
    try {
      const root = await rootFor(ids);
      const first = startCli(['campaigns', 'create', '--root', root], liveEnv(sim));
      await waitFor(
        async () => ((await campaigns(sim))[1]?.ads.length ?? 0) > 0,
        120_000,
        'the second campaign created',
        20,
      );
      first.child.kill('SIGKILL');
      await first.exited;
      const cut = await latestCheckpoint(root);
      expect(Object.values(cut.campaigns).map((entry) => entry.status)).toEqual(['succeeded', 'in_progress']);

      const second = await runCli(['campaigns', 'create', '--root', root], liveEnv(sim));
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/– 1001 .*skipped/);
      expect(second.stdout).toMatch(/✓ 1002 .*succeeded, 0 created, 2 already there, 1 refused/);
      expect(await adsCreated(sim)).toEqual(EVERY_AD_ONCE);
      expect((await latestCheckpoint(root)).resumedFrom).toBe(cut.name);
    } finally {
      await sim.close();
    }
  });
});

describe('hands-off: from a drop to live ads (real ffmpeg, Chromium, daemon)', () => {
  it('creates the ads of an archived batch in the campaign a target row names, with no command run', async () => {
    const { sim } = await simulator();
    const root = await tempRoot();
    try {
      await fs.mkdir(path.join(root, 'tracking'), { recursive: true });
      await fs.writeFile(
        path.join(root, 'tracking', 'campaign_targets.csv'),
        'folder,category,campaign_id,ad_type\nnative/Promo,,1002,native\n',
      );
      const daemon = startDaemon(root, {
        ...liveEnv(sim),
        UPLOAD_CRON: '*/1 * * * * *',
        UPLOAD_PACE_MS: '0',
        CAMPAIGN_TARGET_URL: 'https://x.test/?c={CampaignID}',
        CAMPAIGN_BRAND: 'Brand',
      });
      try {
        await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
        await makeVideo(path.join(root, 'inbox', 'native', 'Promo', 'promo one.mp4'), { seconds: 2, seed: 41 });
        await makeVideo(path.join(root, 'inbox', 'native', 'Promo', 'promo two.mp4'), { seconds: 2, seed: 42 });
        await makeVideo(path.join(root, 'inbox', 'native', 'Elsewhere', 'other.mp4'), { seconds: 2, seed: 43 });
        const ads = await waitFor(
          async () => {
            const campaign = (await campaigns(sim)).find((each) => each.id === '1002');
            return campaign && campaign.ads.length >= 2 ? campaign.ads : undefined;
          },
          150_000,
          'the ads in campaign 1002',
          500,
        );
        const library = ((await (await fetch(`${sim.url}/_sim/state`)).json()) as SimState).creatives;
        for (const ad of ads) {
          expect(ad.created).toBe(1);
          // Each ad pairs the video and the thumbnail of one drop, by the ids TJ gave them.
          const [video, thumbnail] = ad.creativeIds.map(
            (id) => library.find((creative) => creative.id === id)?.name ?? '',
          );
          expect(video).toBe(ad.name);
          expect(thumbnail?.replace(/^IMG_/, 'VID_').replace(/-IMG$/, '')).toBe(
            video?.replace(/_\d+sec/, '').replace(/-VID$/, ''),
          );
        }
        // The creatives of the other folder were uploaded, and are in no campaign.
        expect(ads.map((ad) => ad.name).join()).not.toMatch(/Elsewhere/);
        expect((await campaigns(sim)).flatMap((each) => each.ads)).toHaveLength(2);
        const checkpoint = await waitFor(
          async () => {
            const saved = JSON.parse(
              await fs.readFile(path.join(root, 'data', 'checkpoints', 'hands-off.json'), 'utf8'),
            ) as Checkpoint;
            return Object.values(saved.campaigns).every((entry) => entry.status !== 'in_progress') ? saved : undefined;
          },
          30_000,
          'the hands-off checkpoint',
          200,
        );
        expect(
          Object.values(checkpoint.campaigns).map((entry) => [entry.campaignId, entry.status, entry.attempts]),
        ).toEqual([['1002', 'succeeded', 1]]);
        await waitFor(
          async () => /,1002,/.test(await fs.readFile(path.join(root, 'tracking', 'creative_inventory.csv'), 'utf8')),
          30_000,
          "the inventory's tj_campaign_id",
          300,
        );
      } finally {
        daemon.child.kill('SIGTERM');
        await daemon.exited;
      }
    } finally {
      await sim.close();
    }
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMedia } from '../media/ffmpeg-binaries.js';
import { DEFAULT_SIMULATOR_OPTIONS } from '../simulators/tj/options.js';
import { startSimulator, type RunningSimulator } from '../simulators/tj/server.js';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from '../platform/tj/browser.js';
import { runCli } from './cli-runner.js';
import { makeVideo, tempRoot } from './fixtures.js';
import { readInventory } from './harness.js';

type Row = Record<string, string>;

async function readCsv(file: string): Promise<Row[]> {
  return parse(await fs.readFile(file, 'utf8'), { columns: true, bom: true, skip_empty_lines: true });
}

async function filesIn(dir: string, pattern: RegExp): Promise<string[]> {
  return (await fs.readdir(dir).catch(() => [] as string[]))
    .filter((name) => pattern.test(name))
    .map((name) => path.join(dir, name));
}

describe('tracking files after a live upload run', () => {
  let sim: RunningSimulator;
  let root: string;
  let idByName: Map<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true }, openMedia());
    root = await tempRoot();
    await fs.mkdir(path.join(root, 'tracking'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'tracking', 'metadata_defaults.csv'),
      'folder_path,category_name,model_sex,style,creator_name,language,content_type,creative_description,test_id\nCumshot,Cumshot,F,Real,Seras,EN,NSFW,Generic,\n',
    );
    await makeVideo(path.join(root, 'inbox', 'native', 'Cumshot', 'one.mp4'), { seconds: 3, seed: 1 });
    await makeVideo(path.join(root, 'inbox', 'native', 'Cumshot', 'two.mp4'), { seconds: 3, seed: 2 });
    await makeVideo(path.join(root, 'inbox', 'preroll', 'Cumshot', 'promo.mp4'), { seconds: 6, seed: 3 });
    await fs.writeFile(path.join(root, 'inbox', 'broken.mp4'), 'not a video');
    const env = {
      TJ_LOGIN_URL: `${sim.url}/sign-in`,
      TJ_APP_URL: sim.url,
      TJ_USERNAME: 'demo',
      TJ_PASSWORD: 'demo-password',
      UPLOAD_PACE_MS: '0',
      CAMPAIGN_TARGET_URL: 'https://x.test/?sub1={CampaignID}&sub11=CAMPAIGN_NAME',
      CAMPAIGN_BRAND: 'OurBrand',
      CAMPAIGN_CTA_URL: 'https://x.test/cta',
    };
    // A dry run first: it stages and plans, and writes no campaign CSV.
    expect((await runCli(['process', '--once', '--root', root], env)).code).toBe(0);
    expect(await filesIn(path.join(root, 'tracking', 'Upload_CSV'), /\.csv$/)).toEqual([]);
    const dry = await filesIn(path.join(root, 'tracking'), /^upload_status_.*\.csv$/);
    expect(dry).toHaveLength(1);
    expect((await readCsv(dry[0] ?? '')).map((row) => row.status)).toEqual(Array(5).fill('dry_run'));
    await fs.rm(dry[0] ?? '');

    const live = await runCli(['upload', '--root', root], { ...env, DRY_RUN: 'false' });
    expect(live.code, live.stderr).toBe(0);
    const state = (
      (await (await fetch(`${sim.url}/_sim/state`)).json()) as { creatives: { id: string; name: string }[] }
    ).creatives;
    idByName = new Map(state.map((creative) => [creative.name, creative.id]));
    expect(idByName.size).toBe(5);
  });
  afterAll(() => sim.close());

  it('writes a native CSV pairing each video id with its own thumbnail id, in TJ_tool format', async () => {
    const [native] = await filesIn(path.join(root, 'tracking', 'Upload_CSV'), /^Batch001_\d{8}_\d{6}_Native\.csv$/);
    const rows = await readCsv(native ?? '');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const id = /_ID-([0-9A-F]{8})-VID$/.exec(row['Ad Name'] ?? '')?.[1];
      expect(row['Video Creative ID']).toBe(idByName.get(row['Ad Name'] ?? ''));
      expect(row['Thumbnail Creative ID']).toBe(idByName.get(`IMG_EN_Cumshot_F_Real_NSFW_Generic_Seras_ID-${id}-IMG`));
      expect(row).toMatchObject({
        'Target URL': 'https://x.test/?sub1={CampaignID}&sub11=CAMPAIGN_NAME',
        Headline: 'Cumshot',
        'Brand Name': 'OurBrand',
      });
    }
  });

  it('writes a preroll CSV with the in-stream creative id', async () => {
    const [preroll] = await filesIn(path.join(root, 'tracking', 'Upload_CSV'), /^Batch001_.*_Preroll\.csv$/);
    const [row] = await readCsv(preroll ?? '');
    expect(row?.['Creative ID']).toBe(idByName.get(row?.['Ad Name'] ?? ''));
    expect(Object.keys(row ?? {})).toEqual([
      'Ad Name',
      'Target URL',
      'Creative ID',
      'Custom CTA Text',
      'Custom CTA URL',
      'Banner CTA Creative ID',
      'Banner CTA Title',
      'Banner CTA Subtitle',
      'Banner CTA URL',
      'Tracking Pixel',
    ]);
  });

  it('writes the run’s upload_status CSV with each file’s TJ id', async () => {
    const [status] = await filesIn(path.join(root, 'tracking'), /^upload_status_\d{8}_\d{6}.*\.csv$/);
    const rows = await readCsv(status ?? '');
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.status).toBe('success');
      expect(row.tj_creative_id).toBe(idByName.get((row.file_name ?? '').replace(/\.[^.]+$/, '')));
      expect(row.platform).toBe('TrafficJunky');
      // One batch number everywhere: it joins with archive/batch_001-… and Upload_CSV/Batch001_….
      expect(row).toMatchObject({ batch_id: '001', upload_batch: expect.stringMatching(/^\d+$/) });
    }
    expect(await fs.readdir(path.join(root, 'archive'))).toContain(rows[0]?.file_path?.split('/')[1]);
    expect((await filesIn(path.join(root, 'tracking', 'Upload_CSV'), /^Batch001_/)).length).toBe(2);
    expect(rows.map((row) => row.creative_type).sort()).toEqual([
      'native_image',
      'native_image',
      'native_video',
      'native_video',
      'preroll',
    ]);
  });

  it('keeps TJ_Creative_Library.csv in step, in the export format', async () => {
    const rows = await readCsv(path.join(root, 'tracking', 'TJ_Creative_Library.csv'));
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'creative_id',
      'filename',
      'upload_date',
      'dimensions',
      'file_type',
      'creative_type',
      'review_status',
    ]);
    expect(new Map(rows.map((row) => [row.filename, row.creative_id]))).toEqual(idByName);
  });

  it('writes the daily report, whose HTML shows every creative’s thumbnail in a browser', async () => {
    const result = await runCli(['report', '--root', root]);
    expect(result.code, result.stderr).toBe(0);
    const [json, html] = ['json', 'html'].map(
      (ext) => result.stdout.split('\n').find((line) => line.endsWith(`.${ext}`)) ?? '',
    );
    const report = JSON.parse(await fs.readFile(json ?? '', 'utf8')) as {
      counts: Record<string, number>;
      rejected: { file: string; reason: string }[];
      batches: { batch: number; csvs: string[] }[];
      reviewStatuses: Record<string, number>;
      dropToUpload: { median: number };
    };
    expect(report.counts).toEqual({
      received: 4,
      staged: 3,
      uploaded: 3,
      duplicates: 0,
      rejected: 1,
      knownFakes: 0,
      failed: 0,
      waiting: 0,
    });
    expect(report.rejected).toEqual([
      { file: 'inbox/broken.mp4', reason: expect.stringMatching(/not a playable video/) },
    ]);
    expect(report.reviewStatuses).toEqual({ pending: 5 });
    expect(report.dropToUpload.median).toBeGreaterThan(0);
    expect(report.batches).toEqual([
      {
        batch: 1,
        dir: expect.stringMatching(/^archive\/batch_001-/),
        csvs: [expect.stringMatching(/_Native\.csv$/), expect.stringMatching(/_Preroll\.csv$/)],
      },
    ]);

    const browser = await launchBrowser({ headless: true });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(html ?? '').href);
      await page.screenshot({ path: path.join(root, 'report.png'), fullPage: true });
      const images = await page.locator('img.thumb').evaluateAll((nodes) =>
        nodes.map((node) => ({
          alt: node.getAttribute('alt'),
          width: (node as unknown as { naturalWidth: number }).naturalWidth,
        })),
      );
      expect(images).toHaveLength(3);
      for (const image of images) expect(image.width, image.alt ?? '').toBeGreaterThan(0);
      await expect(page.textContent('body')).resolves.toContain(idByName.values().next().value ?? 'missing id');
    } finally {
      await browser.close();
    }
  });

  it('adds the TJ id, status and archive path to every inventory row', async () => {
    const rows = (await readInventory(root)).filter((row) => row.upload_status !== '');
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.tj_creative_id).toBe(idByName.get((row.new_filename ?? '').replace(/\.[^.]+$/, '')));
      expect(row).toMatchObject({
        upload_status: 'uploaded',
        state: 'archived',
        review_status: 'pending',
        archive_path: expect.stringMatching(/^archive\/batch_001-/),
      });
    }
  });
});

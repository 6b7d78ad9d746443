import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMedia } from '../media/ffmpeg-binaries.js';
import { SimLibrary } from '../simulators/tj/library.js';
import { DEFAULT_SIMULATOR_OPTIONS } from '../simulators/tj/options.js';
import { startSimulator, type RunningSimulator } from '../simulators/tj/server.js';
import { parseLibraryExport } from '../core/library-export.js';
import { runCli } from './cli-runner.js';
import { EXAMPLE_LIBRARY_CSV, makeImage, tempRoot } from './fixtures.js';
import { readInventory } from './harness.js';

describe('sync with TJ, on a library seeded with the 746-creative export', () => {
  let sim: RunningSimulator;
  let root: string;
  let env: Record<string, string>;
  const exported = async (): Promise<ReturnType<typeof parseLibraryExport>> =>
    parseLibraryExport(await fs.readFile(EXAMPLE_LIBRARY_CSV, 'utf8'));

  beforeAll(async () => {
    const library = new SimLibrary();
    library.seedFromCsv(await fs.readFile(EXAMPLE_LIBRARY_CSV, 'utf8'));
    // Grids still come back late and in place; quicker than TJ's, as the walk reads some 70 of them.
    sim = await startSimulator(
      { ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true, gridDelayMs: 50 },
      openMedia(),
      library,
    );
    root = await tempRoot();
    env = {
      TJ_LOGIN_URL: `${sim.url}/sign-in`,
      TJ_APP_URL: sim.url,
      TJ_USERNAME: 'demo',
      TJ_PASSWORD: 'demo-password',
      UPLOAD_PACE_MS: '0',
      DRY_RUN: 'false',
    };
    // Our own two creatives go up first, and the cache holds one name TJ no longer lists.
    await makeImage(path.join(root, 'inbox', 'Banners', 'a.png'), { seed: 1 });
    await makeImage(path.join(root, 'inbox', 'Banners', 'b.png'), { seed: 2 });
    await fs.mkdir(path.join(root, 'tracking'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'tracking', 'TJ_Creative_Library.csv'),
      'creative_id,filename,upload_date,dimensions,file_type,creative_type,review_status\n1000000001,long gone creative,2024-01-01,300x250,png,Static Banner,approved\n',
    );
    expect((await runCli(['process', '--once', '--root', root], env)).code).toBe(0);
  });
  afterAll(() => sim.close());

  it('refresh-library rebuilds the cache and TJ_Creative_Library.csv from every tab and page, by id', async () => {
    const result = await runCli(['refresh-library', '--root', root], env);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { found: number; new: number; gone: string[] };
    const seeded = await exported();
    const distinctIds = new Set(seeded.map((row) => row.creative_id));
    expect(summary.found).toBe(distinctIds.size + 2);
    expect(summary.gone).toEqual(['long gone creative']);
    expect(summary.new).toBe(distinctIds.size);
    const rows = parseLibraryExport(await fs.readFile(path.join(root, 'tracking', 'TJ_Creative_Library.csv'), 'utf8'));
    expect(new Set(rows.map((row) => row.creative_id)).size).toBe(rows.length);
    const statusById = new Map(rows.map((row) => [row.creative_id, row.review_status]));
    for (const row of seeded) expect(statusById.get(row.creative_id), row.creative_id).toBe(row.review_status);
    // Every creative under TJ's own type name, the two native sub-types apart, whatever the seed called it.
    const typeById = new Map(rows.map((row) => [row.creative_id, row.creative_type]));
    expect(new Set(typeById.values())).toEqual(
      new Set(['Native Static Banner', 'Native Rollover', 'In-Stream Video', 'Static Banner', 'Video Banners']),
    );
    const native = seeded.filter((row) =>
      /native_image|native static|native_video|native rollover/i.test(row.creative_type),
    );
    expect(native.length).toBeGreaterThan(0);
    for (const row of native)
      expect(typeById.get(row.creative_id), row.creative_id).toBe(
        /native_image|native static/i.test(row.creative_type) ? 'Native Static Banner' : 'Native Rollover',
      );
  });

  it('sync-status picks up statuses changed on TJ, in the cache, the inventory and the report', async () => {
    const ours = (
      (await (await fetch(`${sim.url}/_sim/state`)).json()) as { creatives: { id: string; name: string }[] }
    ).creatives.filter((creative) => creative.name.startsWith('EN_Banners'));
    expect(ours).toHaveLength(2);
    const [approved, rejected] = ours;
    await fetch(`${sim.url}/_sim/review`, {
      method: 'POST',
      body: JSON.stringify({ id: approved?.id, status: 'approved' }),
    });
    await fetch(`${sim.url}/_sim/review`, {
      method: 'POST',
      body: JSON.stringify({ id: rejected?.id, status: 'rejected' }),
    });

    const result = await runCli(['sync-status', '--root', root], env);
    expect(result.code, result.stderr).toBe(0);
    const changes = JSON.parse(result.stdout) as { creativeId: string; from: string; to: string }[];
    expect(
      changes.map(({ creativeId, from, to }) => ({ creativeId, from, to })).sort((a, b) => a.to.localeCompare(b.to)),
    ).toEqual([
      { creativeId: approved?.id, from: 'pending', to: 'approved' },
      { creativeId: rejected?.id, from: 'pending', to: 'rejected' },
    ]);
    const inventory = await readInventory(root);
    expect(inventory.find((row) => row.tj_creative_id === approved?.id)?.review_status).toBe('approved');
    expect(inventory.find((row) => row.tj_creative_id === rejected?.id)?.review_status).toBe('rejected');

    const report = await runCli(['report', '--root', root]);
    const json = report.stdout.split('\n').find((line) => line.endsWith('.json')) ?? '';
    const parsed = JSON.parse(await fs.readFile(json, 'utf8')) as {
      reviewChanges: { creativeId: string; to: string }[];
    };
    expect(parsed.reviewChanges.map((change) => `${change.to}:${change.creativeId}`).sort()).toEqual([
      `approved:${approved?.id}`,
      `rejected:${rejected?.id}`,
    ]);
    const csv = parseLibraryExport(await fs.readFile(path.join(root, 'tracking', 'TJ_Creative_Library.csv'), 'utf8'));
    expect(csv.find((row) => row.creative_id === approved?.id)?.review_status).toBe('approved');
  });
});

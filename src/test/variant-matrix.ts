import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_HEADER } from '../core/campaign-format.js';
import { parseLibraryExport } from '../core/library-export.js';
import { SimLibrary } from '../simulators/tj/library.js';
import type { UploadFault } from '../simulators/tj/options.js';
import type { RunningSimulator } from '../simulators/tj/server.js';
import { MARKUP_VARIANTS } from '../simulators/tj/variants.js';
import { runCli } from './cli-runner.js';
import { makeImage, makeVideo, tempRoot } from './fixtures.js';
import { readInventory } from './harness.js';
import { expectIdsMatch, expectNothingResent, liveEnv, records, simState, testSimulator } from './simulated-tj.js';

/** One row of the matrix: a build of TJ's pages, and the faults its uploads meet (in the order they arrive). */
export interface VariantCase {
  readonly variant: number;
  readonly faults: readonly UploadFault[];
  /** Whether a preroll goes up too (the In-Stream listing), on the variants where its time is spent best. */
  readonly preroll: boolean;
}

const CAMPAIGN = { id: '2001', name: 'Variant campaign', type: 'native' } as const;
const TYPE_OF_TAB = {
  native: ['Native Static Banner', 'Native Rollover'],
  in_stream_video: ['In-Stream Video'],
  static: ['Static Banner'],
  video: ['Video Banners'],
} as const;

/** A library with more than a page in the listings we upload into, so look-ups and walks page through it. */
function seededLibrary(): SimLibrary {
  const library = new SimLibrary();
  const seed = (
    count: number,
    fields: {
      tab: 'native' | 'in_stream_video' | 'static' | 'video';
      nativeType: 0 | 1;
      fileType: string;
      dimensions: string;
    },
    prefix: string,
  ): void => {
    for (let n = 0; n < count; n += 1)
      library.add({ ...fields, name: `${prefix}_seed_${n}`, sha256: `${prefix}${n}`, uploadDate: '2026-10-01' });
  };
  seed(12, { tab: 'static', nativeType: 0, fileType: '.png', dimensions: '300x250' }, 'banner');
  seed(12, { tab: 'native', nativeType: 0, fileType: '.png', dimensions: '640x360' }, 'thumb');
  seed(12, { tab: 'native', nativeType: 1, fileType: '.mp4', dimensions: '640x360' }, 'clip');
  seed(2, { tab: 'in_stream_video', nativeType: 0, fileType: '.mp4', dimensions: '1280x720' }, 'preroll');
  seed(1, { tab: 'video', nativeType: 0, fileType: '.mp4', dimensions: '300x250' }, 'videobanner');
  return library;
}

const count = (faults: readonly UploadFault[], kind: UploadFault): number =>
  faults.filter((fault) => fault === kind).length;

/**
 * Every flow against one build of TJ's pages: live uploads through faults and a dead session,
 * refresh-library, sync-status, campaigns create and check. Each is judged by the simulator's
 * own count of what reached it: every output on TJ once, no kept name sent again, ids paired by
 * name and bytes.
 */
export function describeVariant({ variant, faults, preroll }: VariantCase): void {
  describe(`variant ${variant}: ${MARKUP_VARIANTS[variant]?.summary}`, () => {
    let sim: RunningSimulator;
    let root: string;
    let env: Record<string, string>;
    beforeAll(async () => {
      sim = await testSimulator(
        { variant, faultPlan: faults, sessionCheckMs: 100, campaigns: [CAMPAIGN] },
        seededLibrary(),
      );
      env = liveEnv(sim);
      root = await tempRoot();
      await makeVideo(path.join(root, 'inbox', 'native', 'clip.mp4'), { seconds: 2, seed: 10 + variant });
      await makeImage(path.join(root, 'inbox', 'Banners', 'banner.png'), { seed: 20 + variant });
      if (preroll)
        await makeVideo(path.join(root, 'inbox', 'preroll', 'Promo', 'pre.mp4'), { seconds: 6, seed: 30 + variant });
    });
    afterAll(() => sim.close());

    it('uploads through 5xx, proxy pages, dropped connections and a dead session: every output once, none resent, ids paired by name and bytes', async () => {
      const first = await runCli(['process', '--once', '--root', root], env);
      expect(first.code, first.stderr).toBe(0);
      await fetch(`${sim.url}/_sim/expire-sessions`, { method: 'POST' });
      await makeImage(path.join(root, 'inbox', 'Banners', 'after expiry.png'), { seed: 40 + variant });
      const second = await runCli(['process', '--once', '--root', root], env);
      expect(second.code, second.stderr).toBe(0);

      const state = await simState(sim);
      expect(state.faults).toEqual({
        serverErrors: count(faults, 'server-error'),
        proxyErrors: count(faults, 'proxy-error'),
        dropped: count(faults, 'drop'),
      });
      expect((await records(root)).map((record) => record.state)).toEqual(Array(preroll ? 4 : 3).fill('archived'));
      // A native pair is two outputs, the rest one each.
      expect(await expectIdsMatch(root, sim)).toBe(preroll ? 5 : 4);
      const ours = state.creatives.filter((creative) => !creative.name.includes('_seed_'));
      expect(ours).toHaveLength(preroll ? 5 : 4);
      expect(new Set(ours.map((creative) => creative.name)).size).toBe(ours.length);
      await expectNothingResent(sim);
      // Signed in at the start, and again once the session died.
      expect(state.signIns).toBe(2);
    });

    it('refresh-library reads every listing and page, under TJ’s own type names', async () => {
      const result = await runCli(['refresh-library', '--root', root], env);
      expect(result.code, result.stderr).toBe(0);
      // Off a terminal, its progress is a plain line as each listing's walk ends.
      for (const listing of [
        'Native Static Banner',
        'Native Rollover',
        'In-Stream Video',
        'Static Banner',
        'Video Banners',
      ])
        expect(result.stderr).toMatch(new RegExp(`reading ${listing}: \\d+ of \\d+ pages, done`));
      const onTj = (await simState(sim)).creatives;
      expect((JSON.parse(result.stdout) as { found: number }).found).toBe(onTj.length);
      const rows = new Map(
        parseLibraryExport(await fs.readFile(path.join(root, 'tracking', 'TJ_Creative_Library.csv'), 'utf8')).map(
          (row) => [row.creative_id, row],
        ),
      );
      for (const creative of onTj)
        expect(rows.get(creative.id)?.creative_type, creative.name).toBe(
          TYPE_OF_TAB[creative.tab][creative.tab === 'native' ? creative.nativeType : 0],
        );
    });

    it('sync-status picks up a review TJ changed', async () => {
      const banner = (await simState(sim)).creatives.find(
        (creative) => creative.tab === 'static' && !creative.name.includes('_seed_'),
      );
      expect(banner).toBeDefined();
      await fetch(`${sim.url}/_sim/review`, {
        method: 'POST',
        body: JSON.stringify({ id: banner?.id, status: 'approved' }),
      });
      const result = await runCli(['sync-status', '--root', root], env);
      expect(result.code, result.stderr).toBe(0);
      expect(
        (JSON.parse(result.stdout) as { creativeId: string; to: string }[]).map(
          ({ creativeId, to }) => `${creativeId}:${to}`,
        ),
      ).toEqual([`${banner?.id}:approved`]);
      expect((await readInventory(root)).find((row) => row.tj_creative_id === banner?.id)?.review_status).toBe(
        'approved',
      );
    });

    it('campaigns create makes each ad once, told by name in the table, and a second run sends nothing', async () => {
      const native = (await records(root)).find((record) => record.outputs?.some((output) => output.role === 'video'));
      const idOf = (role: string): string =>
        native?.outputs?.find((output) => output.role === role)?.uploads?.tj?.creativeId ?? '';
      const seeded = (await simState(sim)).creatives
        .filter((creative) => /^(clip|thumb)_seed_0$/.test(creative.name))
        .map((creative) => creative.id);
      const csv = [
        NATIVE_HEADER,
        ['VID_Ours_ID-000000AA-VID', 'https://x.test/?c={CampaignID}', idOf('video'), idOf('image'), 'Hot', 'Brand'],
        ['VID_Seeded_ID-000000BB-VID', 'https://x.test/', seeded[1] ?? '', seeded[0] ?? '', 'Hot', 'Brand'],
      ];
      await fs.mkdir(path.join(root, 'tracking', 'Upload_CSV'), { recursive: true });
      await fs.writeFile(
        path.join(root, 'tracking', 'Upload_CSV', 'Batch900_20261201_120000_Native.csv'),
        csv.map((row) => row.map((cell) => `"${cell}"`).join(',')).join('\n'),
      );
      await fs.writeFile(
        path.join(root, 'tracking', 'campaign_mapping.csv'),
        `campaign_id,csv_filename,campaign_name,enabled\n${CAMPAIGN.id},Batch900_20261201_120000_Native.csv,Variant,True\n`,
      );
      for (const args of [[], ['--fresh']]) {
        const result = await runCli(['campaigns', 'create', ...args, '--root', root], env);
        expect(result.code, result.stderr).toBe(0);
        const ads = (await simState(sim)).campaigns.find((campaign) => campaign.id === CAMPAIGN.id)?.ads ?? [];
        expect(Object.fromEntries(ads.map((ad) => [ad.name, ad.created]))).toEqual({
          'VID_Ours_ID-000000AA-VID': 1,
          'VID_Seeded_ID-000000BB-VID': 1,
        });
      }
    });

    it('check finds everything the contract names; a hint it lacks is a note, not a failure', async () => {
      const result = await runCli(['check', '--campaign', CAMPAIGN.id, '--root', root], env);
      const lines = result.stdout.split('\n');
      expect(
        lines.filter((line) => line.startsWith('✗ ')),
        result.stdout,
      ).toEqual([]);
      expect(result.code).toBe(0);
      expect(lines.filter((line) => line.startsWith('✓ ')).length).toBeGreaterThan(30);
      if (variant !== 0) expect(lines.some((line) => line.startsWith('ℹ hint.'))).toBe(true);
    });
  });
}

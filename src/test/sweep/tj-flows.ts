import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright';
import { ActivityBus } from '../../core/events.js';
import { Layout, rootPath } from '../../core/layout.js';
import { createLogger } from '../../core/logger.js';
import type { AdsRequest } from '../../core/platform.js';
import type { CreativeRecord, OutputFile } from '../../core/record.js';
import { openMedia } from '../../media/ffmpeg-binaries.js';
import { NATIVE_HEADER } from '../../core/campaign-format.js';
import { TjUploader } from '../../platform/tj/tj-uploader.js';
import { LoginRequiredError, CredentialsRefusedError } from '../../platform/uploader.js';
import { SimLibrary, type Tab } from '../../simulators/tj/library.js';
import { DEFAULT_SIMULATOR_OPTIONS, type SimCampaignSeed, type UploadFault } from '../../simulators/tj/options.js';
import { startSimulator, type RunningSimulator, type SimState } from '../../simulators/tj/server.js';
import { CreativeRepository } from '../../store/creative.repository.js';
import { LibraryRepository } from '../../store/library.repository.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { UploadService } from '../../upload/upload.service.js';
import { makeImage, makeVideo, sha256, tempRoot } from '../fixtures.js';
import { PLATFORMS } from '../../platform/registry.js';

/**
 * The flows a TJ fault sweep runs (issue 26), each on a fresh simulator and root, with one fault
 * struck: every session ends at request N, or the connection of the Nth upload drops after TJ
 * kept the file. Each flow checks the invariants after its run (and a second pass where the first
 * stopped) and throws, saying which broke: every file on TJ once and none sent again once kept,
 * every id its own file's, the walk listing every creative once, each ad once, nobody asked to
 * sign in while the credentials work and no captcha shows.
 */

export type Strike =
  | { readonly kind: 'none' }
  | { readonly kind: 'session-ends'; readonly at: number }
  | { readonly kind: 'drop'; readonly upload: number };

/** What one run did, for the sweep's counts. */
export interface FlowRun {
  /** Requests the site served. */
  readonly requests: number;
  /** Which request each was (method and path), in order. */
  readonly routes: readonly string[];
  /** Upload requests the site served. */
  readonly uploads: number;
  /** Passes run: 2 where the first stopped. */
  readonly passes: number;
  /** Files sent again, each after a read showed it absent. */
  readonly resends: number;
}

export interface SweepFlow {
  readonly name: string;
  run(variant: number, strike: Strike): Promise<FlowRun>;
}

/** Media made once for every point: a native pair, an in-stream video and a banner. */
export interface SweepMedia {
  readonly nativeVideo: string;
  readonly nativeImage: string;
  readonly inStream: string;
  readonly banner: string;
}

export async function makeSweepMedia(dir: string): Promise<SweepMedia> {
  const [nativeVideo, nativeImage, inStream, banner] = await Promise.all([
    makeVideo(path.join(dir, 'native.mp4'), { seconds: 2, width: 640, height: 360 }),
    makeImage(path.join(dir, 'native.png'), { width: 640, height: 360, seed: 1 }),
    makeVideo(path.join(dir, 'preroll.mp4'), { seconds: 6 }),
    makeImage(path.join(dir, 'banner.png'), { width: 300, height: 250, seed: 2 }),
  ]);
  return { nativeVideo, nativeImage, inStream, banner };
}

const media = openMedia();
const storage = new StorageRepository();
// SWEEP_LOG=debug shows what a point did (pino JSON on stdout).
const log = createLogger({ level: process.env.SWEEP_LOG ?? 'silent', pretty: false });
/** Each build answers a dead session's calls its own way: the contract says only that they fail. */
const DEAD_SESSION_STATUS = [401, 403, 419, 401, 403];
/** Cards a page: small, so a walk pages through several per listing at little cost. */
const PER_PAGE = 4;

/** An invariant the sweep holds every point to, broken. */
export class InvariantError extends Error {}

function check(condition: boolean, what: string): void {
  if (!condition) throw new InvariantError(what);
}

/** A library of several pages in every listing; ids grow with the order added (older first). */
function seededLibrary(): SimLibrary {
  const library = new SimLibrary();
  const seed = (
    count: number,
    tab: Tab,
    nativeType: 0 | 1,
    fileType: string,
    dimensions: string,
    prefix: string,
  ): void => {
    for (let n = 0; n < count; n += 1)
      library.add({
        name: `${prefix}_seed_${n}`,
        fileType,
        dimensions,
        tab,
        nativeType,
        sha256: `${prefix}${n}`,
        uploadDate: '2026-10-01',
      });
  };
  seed(9, 'static', 0, '.png', '300x250', 'banner');
  seed(9, 'native', 0, '.png', '640x360', 'thumb');
  seed(9, 'native', 1, '.mp4', '640x360', 'clip');
  seed(5, 'in_stream_video', 0, '.mp4', '1280x720', 'preroll');
  seed(5, 'video', 0, '.mp4', '300x250', 'videobanner');
  return library;
}

/** A fresh simulator for one point, the strike armed, and an uploader on a fresh root working in the shared browser. */
async function setUp(
  variant: number,
  strike: Strike,
  browser: Browser,
  campaigns: readonly SimCampaignSeed[] = [],
): Promise<{ sim: RunningSimulator; layout: Layout; open: () => Promise<TjUploader> }> {
  const faultPlan: UploadFault[] =
    strike.kind === 'drop' ? [...Array<UploadFault>(strike.upload - 1).fill('ok'), 'drop'] : [];
  const sim = await startSimulator(
    {
      ...DEFAULT_SIMULATOR_OPTIONS,
      port: 0,
      noCaptcha: true,
      variant,
      // The build's habits at little cost: grids still come back after the click, the contract-only shell still redirects late.
      gridDelayMs: 30,
      sessionCheckMs: variant === 4 ? 300 : 50,
      perPage: PER_PAGE,
      deadSessionStatus: DEAD_SESSION_STATUS[variant] ?? 401,
      campaigns,
      faultPlan,
      endSessionsAt: strike.kind === 'session-ends' ? strike.at : undefined,
    },
    media,
    seededLibrary(),
  );
  const layout = new Layout(await tempRoot('cf-sweep-'));
  const connection = {
    loginUrl: `${sim.url}/sign-in`,
    appUrl: sim.url,
    username: 'demo',
    password: 'demo-password',
    chromiumPath: undefined,
  };
  return { sim, layout, open: () => TjUploader.open(connection, { layout, storage, log }, browser) };
}

async function simState(sim: RunningSimulator): Promise<SimState> {
  return (await (await fetch(`${sim.url}/_sim/state`)).json()) as SimState;
}

/** Runs a pass; a person asked for, or credentials refused, is counted and ends the point. */
async function pass<T>(work: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await work() };
  } catch (error) {
    if (error instanceof LoginRequiredError || error instanceof CredentialsRefusedError)
      throw new InvariantError(`a person was asked to sign in: ${error.message}`);
    return { error };
  }
}

/** Opens an uploader and runs `work` in it, then a second pass in a new one where the first stopped; closes everything. */
async function twoPasses<T>(
  open: () => Promise<TjUploader>,
  work: (uploader: TjUploader) => Promise<T>,
  done: (value: T) => boolean,
): Promise<{ value: T; passes: number }> {
  let passes = 0;
  let last: unknown;
  for (passes = 1; passes <= 2; passes += 1) {
    const result = await pass(async () => {
      const uploader = await open();
      try {
        return await work(uploader);
      } finally {
        await uploader.close();
      }
    });
    if (result.error === undefined && result.value !== undefined && done(result.value))
      return { value: result.value, passes };
    last = result.error ?? result.value;
  }
  throw new InvariantError(
    `the second pass still stopped: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

/** `upload` of a mixed batch: a native pair, an in-stream video and a banner, each to its listing. */
export function uploadFlow(browser: Browser, files: SweepMedia): SweepFlow {
  return {
    name: 'upload',
    async run(variant, strike) {
      const { sim, layout, open } = await setUp(variant, strike, browser);
      try {
        const creatives = await CreativeRepository.open(layout.db, storage);
        const library = await LibraryRepository.open(PLATFORMS.tj.libraryCacheFile(layout), storage);
        const service = new UploadService({
          creatives,
          library,
          layout,
          events: new ActivityBus(),
          log,
          options: {
            platform: 'tj',
            platforms: ['tj'],
            batchSize: 10,
            paceMs: 0,
            retries: 2,
            retryBaseMs: 1,
            lookupPages: 5,
            maxFailedPasses: 5,
          },
        });
        const staged = async (
          kind: CreativeRecord['kind'],
          id: string,
          outputs: [OutputFile['role'], string, string][],
        ): Promise<void> => {
          const made: OutputFile[] = [];
          for (const [role, relative, source] of outputs) {
            await fs.mkdir(path.dirname(layout.abs(rootPath(relative))), { recursive: true });
            await fs.copyFile(source, layout.abs(rootPath(relative)));
            made.push({
              role,
              path: rootPath(relative),
              bytes: (await fs.stat(source)).size,
              width: 640,
              height: 360,
              format: path.extname(source).slice(1),
              converted: true,
            });
          }
          await creatives.commit(
            creatives.create({
              state: 'staged',
              kind,
              source: { path: rootPath(`inbox/${id}`), size: 1, mtimeMs: 1 },
              hash: id.padEnd(64, '0'),
              outputs: made,
              attempts: 0,
              times: {},
            }),
          );
        };
        await staged('native', '000000A1', [
          [
            'video',
            'uploaded/Native/Video/VID_EN_Promo_F_Real_NSFW_Sweep_X_2sec_ID-000000A1-VID.mp4',
            files.nativeVideo,
          ],
          ['image', 'uploaded/Native/Image/IMG_EN_Promo_F_Real_NSFW_Sweep_X_ID-000000A1-IMG.png', files.nativeImage],
        ]);
        await staged('preroll', '000000A2', [
          ['creative', 'uploaded/Video/EN_Promo_F_Real_NSFW_Sweep_X_6sec_ID-000000A2.mp4', files.inStream],
        ]);
        await staged('image', '000000A3', [
          ['creative', 'uploaded/Image/EN_Banners_F_Real_NSFW_Sweep_X_ID-000000A3.png', files.banner],
        ]);

        const { passes } = await twoPasses(
          open,
          (uploader) => service.run(uploader),
          (summary) => !summary.loginRequired && summary.pending === 0,
        );
        const state = await simState(sim);
        let outputs = 0;
        for (const key of creatives.index.keysInState('uploaded')) {
          for (const output of (await creatives.load(key))?.outputs ?? []) {
            const name = path.posix.basename(output.path).replace(/\.[^.]+$/, '');
            const onTj = state.creatives.filter((creative) => creative.name === name);
            check(onTj.length === 1, `${name} is on TJ ${onTj.length} times`);
            check(
              output.uploads?.tj?.creativeId === onTj[0]?.id,
              `${name} was given id ${output.uploads?.tj?.creativeId}, TJ's card of its name is ${onTj[0]?.id}`,
            );
            check(onTj[0]?.sha256 === (await sha256(layout.abs(output.path))), `${name}: TJ's card holds other bytes`);
            check(state.uploads[name] === 1, `${name} reached TJ in ${state.uploads[name] ?? 0} upload requests`);
            outputs += 1;
          }
        }
        check(outputs === 4, `${outputs} of 4 outputs were recorded as uploaded`);
        check(
          Object.keys(state.resent).length === 0,
          `sent again once TJ had kept it: ${JSON.stringify(state.resent)}`,
        );
        await creatives.close();
        return {
          requests: state.requests,
          routes: state.routes,
          uploads: Object.values(state.uploads).reduce((sum, n) => sum + n, 0),
          passes,
          resends: service.ledger.resends,
        };
      } finally {
        await sim.close();
        await storage.removeTree(layout.root);
      }
    },
  };
}

/** `refresh-library` (no `olderThan`) or `sync-status` (newest first, down to a creative): every creative listed once. */
export function walkFlow(browser: Browser, kind: 'refresh-library' | 'sync-status'): SweepFlow {
  return {
    name: kind,
    async run(variant, strike) {
      const { sim, layout, open } = await setUp(variant, strike, browser);
      try {
        const onTj = (await simState(sim)).creatives;
        // A sync reads each listing down to the first page all older than the oldest creative still in review.
        const olderThan =
          kind === 'sync-status'
            ? [...onTj].map((creative) => creative.id).sort()[Math.floor(onTj.length / 2)]
            : undefined;
        const { value: cards, passes } = await twoPasses(
          open,
          (uploader) => uploader.listAll(50, olderThan),
          () => true,
        );
        const ids = cards.map((card) => card.creativeId);
        check(
          new Set(ids).size === ids.length,
          `a creative was listed twice: ${ids.filter((id, index) => ids.indexOf(id) !== index).join(', ')}`,
        );
        const wanted = onTj.filter((creative) => olderThan === undefined || creative.id >= olderThan);
        const missing = wanted.filter((creative) => !ids.includes(creative.id)).map((creative) => creative.name);
        check(missing.length === 0, `the walk missed ${missing.length} of ${wanted.length}: ${missing.join(', ')}`);
        const state = await simState(sim);
        return { requests: state.requests, routes: state.routes, uploads: 0, passes, resends: 0 };
      } finally {
        await sim.close();
        await storage.removeTree(layout.root);
      }
    },
  };
}

/** `campaigns create` on a campaign that has ads already (one of them asked for again) or on a new one with none: each ad once. */
export function campaignFlow(browser: Browser, kind: 'with-ads' | 'new'): SweepFlow {
  return {
    name: `campaigns create (${kind === 'new' ? 'a new campaign' : 'a campaign with ads'})`,
    async run(variant, strike) {
      const library = seededLibrary().all.filter((creative) => creative.tab === 'native');
      const clip = (n: number): string => library.find((creative) => creative.name === `clip_seed_${n}`)?.id ?? '';
      const thumb = (n: number): string => library.find((creative) => creative.name === `thumb_seed_${n}`)?.id ?? '';
      const row = (name: string, n: number): Record<string, string> => ({
        'Ad Name': name,
        'Target URL': `https://x.test/?c={CampaignID}&n=${n}`,
        'Video Creative ID': clip(n),
        'Thumbnail Creative ID': thumb(n),
        Headline: 'Hot',
        'Brand Name': 'Brand',
      });
      const existing =
        kind === 'with-ads'
          ? [{ name: 'VID_Old_ID-000000C0-VID', targetUrl: 'https://x.test/', creativeIds: [clip(0), thumb(0)] }]
          : [];
      const campaign = { id: '3001', name: 'Sweep campaign', type: 'native', ads: existing } as const;
      const { sim, layout, open } = await setUp(variant, strike, browser, [campaign]);
      try {
        const rows = [
          row('VID_Old_ID-000000C0-VID', 0),
          row('VID_One_ID-000000C1-VID', 1),
          row('VID_Two_ID-000000C2-VID', 2),
        ].slice(kind === 'with-ads' ? 0 : 1);
        const ads: AdsRequest = { kind: 'native', header: NATIVE_HEADER, rows };
        const { passes } = await twoPasses(
          open,
          (uploader) => uploader.createAds(campaign.id, ads),
          (outcome) => outcome.missing.length === 0 && outcome.refused.length === 0,
        );
        const state = await simState(sim);
        const made = state.campaigns.find((candidate) => candidate.id === campaign.id)?.ads ?? [];
        for (const { 'Ad Name': name } of rows)
          check(
            made.find((ad) => ad.name === name)?.created === 1,
            `${name} was created ${made.find((ad) => ad.name === name)?.created ?? 0} times`,
          );
        return { requests: state.requests, routes: state.routes, uploads: 0, passes, resends: 0 };
      } finally {
        await sim.close();
        await storage.removeTree(layout.root);
      }
    },
  };
}

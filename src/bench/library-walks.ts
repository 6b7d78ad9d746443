/**
 * Part of the library benchmark: what a daemon does beside the changes, timed on a library of a
 * given size: `status`, the dashboard's first load, the start-up sweep of archive/, and an upload
 * pass of 10 files (the platform answering at once, so what is timed is ours).
 */
import { randomBytes } from 'node:crypto';
import { ArchiveService } from '../archive/archive.service.js';
import { DEFAULT_TEMPLATE } from '../config/campaign-template.js';
import { ActivityBus } from '../core/events.js';
import { rootPath, type Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import { LiveState } from '../dashboard/live-state.js';
import type { Uploader, UploadResult } from '../platform/uploader.js';
import { statusReport } from '../report/status-report.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { LibraryRepository } from '../store/library.repository.js';
import { RunStateRepository } from '../store/run-state.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { TrackingService } from '../tracking/tracking.service.js';
import { UploadService } from '../upload/upload.service.js';

export interface WalkFigures {
  readonly statusMs: number;
  readonly dashboardLoadMs: number;
  readonly archiveSweepMs: number;
  readonly uploadPassMs: number;
  /** The library export's rewrite after the pass, which the pass no longer waits for. */
  readonly libraryExportMs: number;
}

/** The platform's edge, answering at once with fresh ids. */
function instantPlatform(): Uploader {
  let next = 9_000_000_000;
  return {
    upload: async (_target, files) =>
      new Map(
        files.map((file): [string, UploadResult] => [
          file.name,
          { status: 'uploaded', creativeId: String((next += 1)) },
        ]),
      ),
    find: async () => ({ found: new Map(), complete: true }),
    pagesRead: 0,
    alive: true,
    keepAlive: async () => undefined,
    listAll: async () => [],
    createAds: async () => {
      throw new Error('not in this benchmark');
    },
    close: async () => undefined,
  };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export async function timeWalks(
  creatives: CreativeRepository,
  library: LibraryRepository,
  layout: Layout,
  storage: StorageRepository,
  log: Logger,
): Promise<WalkFigures> {
  const statusMs = await timed(() => statusReport(creatives, [{ platform: 'tj', waiting: undefined }]));
  const live = new LiveState({
    root: layout.root,
    dryRun: false,
    creatives,
    events: new ActivityBus(),
    platformStatus: async () => undefined,
    sessionSaved: async () => true,
    reviewStatusOf: (name) => library.get(name)?.reviewStatus,
    nextRuns: () => [],
    todaysReport: async () => undefined,
  });
  const dashboardLoadMs = await timed(() => live.load());
  live.close();

  // Fresh ids each run, so a kept library (KEEP_DB) can be timed again.
  const first = randomBytes(4).readUInt32BE() & 0xfffffff0;
  for (let n = 0; n < 10; n += 1) {
    const name = `EN_Banners_F_Real_NSFW_New_Seras_ID-${(first + n).toString(16).toUpperCase().padStart(8, '0')}`;
    const at = new Date().toISOString();
    await creatives.commit(
      creatives.create({
        state: 'staged',
        kind: 'image',
        source: { path: rootPath(`inbox/Banners/new-${n}.png`), size: n + 1, mtimeMs: 1 },
        hash: `${first + n}`.padEnd(64, '0'),
        outputs: [
          {
            role: 'creative',
            path: rootPath(`uploaded/Image/${name}.png`),
            bytes: 40_000,
            width: 300,
            height: 250,
            format: 'png',
            converted: true,
          },
        ],
        attempts: 0,
        times: { discovered: at, staged: at },
      }),
    );
  }
  const events = new ActivityBus();
  const archive = new ArchiveService({
    creatives,
    runState: await RunStateRepository.open(layout.db, storage),
    storage,
    layout,
    events,
    log,
  });
  const archiveSweepMs = await timed(() => archive.removeStaleTemps());

  const uploads = new UploadService({
    creatives,
    library,
    layout,
    events,
    log,
    options: {
      platform: 'tj',
      platforms: ['tj'],
      batchSize: 10,
      paceMs: 0,
      retries: 0,
      retryBaseMs: 1,
      lookupPages: 3,
      maxFailedPasses: 3,
    },
  });
  const tracking = new TrackingService({ layout, storage, creatives, library, template: DEFAULT_TEMPLATE, log });
  // As the daemon's pass: the upload, then the run's status file; the export is only asked for.
  const uploadPassMs = await timed(async () => {
    const summary = await uploads.run(instantPlatform());
    if (summary.uploaded !== 10) throw new Error(`the pass uploaded ${summary.uploaded} of 10`);
    await tracking.writeUploadStatus(summary.outcomes);
    tracking.scheduleLibraryExport();
  });
  const libraryExportMs = await timed(() => tracking.flush());
  return { statusMs, dashboardLoadMs, archiveSweepMs, uploadPassMs, libraryExportMs };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import type { Config } from './config/config.js';
import { toRelative } from './core/layout.js';
import type { Logger } from './logger.js';
import { METADATA_DEFAULTS_HEADER, MetadataDefaultsFile } from './naming/metadata-defaults.js';
import { CreativeRepository } from './store/creative.repository.js';
import { locateFfmpeg, verifyFfmpeg } from './media/ffmpeg-binaries.js';
import { MediaRepository } from './media/media.repository.js';
import { ProcessLock } from './store/process-lock.js';
import { StorageRepository } from './store/storage.repository.js';
import { RunStateRepository } from './store/run-state.repository.js';
import { LibraryRepository } from './store/library.repository.js';
import { ArchiveService } from './archive/archive.service.js';
import { PipelineService } from './ingest/ingest.service.js';
import { UploadRunner } from './upload/upload-runner.js';
import { SyncService } from './upload/library-sync.service.js';
import { UploadService } from './upload/upload.service.js';
import { importLibraryCsv } from './tracking/library-csv.js';
import type { TjConnection } from './platform/tj/tj-session.js';
import { TjUploader } from './platform/tj/tj-uploader.js';
import { StabilityGate } from './intake/stability-gate.js';
import { InventoryService } from './tracking/inventory.service.js';
import { ReportService } from './report/report.service.js';
import { TrackingService } from './tracking/tracking.service.js';

/** Everything a command needs, wired once. */
export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly storage: StorageRepository;
  readonly creatives: CreativeRepository;
  readonly pipeline: PipelineService;
  readonly gate: StabilityGate;
  readonly inventory: InventoryService;
  readonly library: LibraryRepository;
  readonly uploads: UploadRunner;
  readonly archive: ArchiveService;
  readonly tracking: TrackingService;
  readonly reports: ReportService;
  readonly sync: SyncService;
  /** Flushes the database and releases the root. */
  close(): Promise<void>;
}

/** Checks the machine (ffmpeg), takes the root's lock and opens the database. */
export async function openApp(config: Config, log: Logger, options: { force?: boolean } = {}): Promise<App> {
  const { layout } = config;
  const binaries = locateFfmpeg(config);
  await verifyFfmpeg(binaries);
  for (const dir of [layout.inbox, layout.uploaded, layout.archive, layout.tracking, layout.data, layout.tmp]) await fs.mkdir(dir, { recursive: true });
  const lock = await ProcessLock.acquire(layout.data);
  try {
    const storage = new StorageRepository();
    for (const dir of [layout.uploaded, layout.archive, layout.tmp]) await storage.removeStaleTemps(dir);
    const folderDefaults = await openMetadataDefaults(config, storage, log);
    const media = new MediaRepository(binaries, config.profile.input.maxImagePixels, Math.max(1, Math.floor(os.availableParallelism() / config.concurrency)));
    const creatives = await CreativeRepository.open(layout.db, storage);
    const library = await LibraryRepository.open(layout.db, storage);
    if (library.size === 0 && (await storage.exists(layout.libraryCsv))) {
      const imported = await importLibraryCsv(layout.libraryCsv, library);
      log.info({ imported, file: layout.libraryCsv }, 'Imported the existing TJ library export into the library cache');
    }
    const uploadService = new UploadService(creatives, library, layout, log, {
      batchSize: config.uploadBatchSize,
      paceMs: config.uploadPaceMs,
      force: options.force ?? false,
      retries: 3,
      retryBaseMs: 1_000,
      lookupPages: 3,
    });
    const runState = await RunStateRepository.open(layout.db, storage);
    const archive = new ArchiveService(creatives, runState, storage, layout, log);
    const uploads = new UploadRunner(uploadService, () => TjUploader.open(tjConnection(config), log), layout.sessionFile, config.dryRun, runState, log);
    const inventory = new InventoryService(layout.inventoryCsv, creatives, storage, log, config.inventoryDebounceMs, (name) => library.get(name)?.reviewStatus);
    const gate = new StabilityGate(
      storage,
      config.stabilityMs,
      (file, stat) => pipeline.submit(toRelative(layout, file), stat),
      (file, error) => log.warn({ err: error, file }, 'Could not check the file; the next reconcile pass tries again'),
    );
    const pipeline = new PipelineService(
      { layout, profile: config.profile, storage, media, creatives, log },
      { folderDefaults, configDefaults: config.defaults, index: creatives.index },
      { concurrency: config.concurrency, maxAttempts: config.maxAttempts, onChange: () => inventory.scheduleWrite(), watchAgain: (file) => gate.observe(file) },
    );
    log.info({ root: layout.root, dryRun: config.dryRun, creatives: creatives.index.size, ffmpeg: binaries.ffmpeg }, 'creative-flow ready');
    return {
      config,
      log,
      storage,
      creatives,
      pipeline,
      gate,
      inventory,
      library,
      uploads,
      archive,
      tracking: new TrackingService(layout, storage, creatives, library, config.campaign, log),
      reports: new ReportService(layout, storage, creatives, library, media, log),
      sync: new SyncService(library, config.libraryMaxPages, log),
      async close() {
        try {
          await uploads.close();
          await creatives.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

export function tjConnection(config: Config): TjConnection {
  return {
    loginUrl: config.tjLoginUrl,
    appUrl: config.tjAppUrl,
    username: config.tjUsername,
    password: config.tjPassword,
    sessionFile: config.layout.sessionFile,
    chromiumPath: config.chromiumPath,
    screenshotDir: path.join(config.layout.data, 'screenshots'),
  };
}

/** Reads `metadata_defaults.csv` strictly (a broken one stops start-up); writes its header if it is missing. */
async function openMetadataDefaults(config: Config, storage: StorageRepository, log: Logger): Promise<MetadataDefaultsFile> {
  const file = config.layout.metadataDefaultsCsv;
  if (!(await storage.exists(file))) await storage.writeFileAtomic(file, `${METADATA_DEFAULTS_HEADER.join(',')}\r\n`);
  const defaults = new MetadataDefaultsFile(file, (error) => log.error({ file }, `${error.plain} Keeping the rows read before.`));
  defaults.loadStrict();
  return defaults;
}

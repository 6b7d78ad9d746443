import os from 'node:os';
import { ArchiveService } from './archive/archive.service.js';
import { CampaignAdsService } from './campaigns/campaign-ads.service.js';
import { CampaignTargetsFile } from './campaigns/campaign-targets.js';
import { HandsOffService } from './campaigns/hands-off.service.js';
import { dotEnvPath, type Config } from './config/config.js';
import { dotEnvExposure } from './config/env-permissions.js';
import { ActivityBus } from './core/events.js';
import { openResults } from './results/open-results.js';
import type { ResultsPlatform } from './results/results.service.js';
import { createTjResults } from './platform/tj/results/tj-results.js';
import { ExoResults } from './platform/exoclick/exo-results.js';
import type { Logger } from './core/logger.js';
import { DiskPause } from './ingest/disk-pause.js';
import { RetentionService } from './housekeeping/retention.service.js';
import { IngestService } from './ingest/ingest.service.js';
import { KnownFakesFile } from './ingest/known-fakes.js';
import { stageSteps } from './ingest/steps.js';
import { Jobs, type PlatformServices, type Services } from './jobs/jobs.js';
import { exoConnection, tjConnection } from './jobs/standalone.js';
import { locateFfmpeg, verifyFfmpeg } from './media/ffmpeg-binaries.js';
import { MediaRepository } from './media/media.repository.js';
import { MetadataDefaultsFile } from './naming/metadata-defaults.js';
import { notifyOnEvents } from './notify/notices.js';
import { Notifier } from './notify/notifier.js';
import { postJson } from './notify/webhook.js';
import { credentialsFingerprint, PlatformConnection } from './platform/connection.js';
import { SessionStatusFile } from './platform/session-status.js';
import { ExoUploader } from './platform/exoclick/exo-uploader.js';
import { SessionFile } from './platform/tj/tj-session.js';
import { ReportService } from './report/report.service.js';
import { CampaignAdsRepository } from './store/campaign-ads.repository.js';
import { CheckpointRepository } from './store/checkpoint.repository.js';
import { CreativeRepository } from './store/creative.repository.js';
import { LibraryRepository } from './store/library.repository.js';
import { ProcessLock } from './store/process-lock.js';
import { RunStateRepository } from './store/run-state.repository.js';
import { StorageRepository } from './store/storage.repository.js';
import { InventoryService } from './tracking/inventory.service.js';
import { importLibraryCsv } from './tracking/library-csv.js';
import { TrackingService } from './tracking/tracking.service.js';
import { LibrarySyncService } from './upload/library-sync.service.js';
import { exoUnfit } from './upload/platform-fit.js';
import { UploadService, type UploadOptions } from './upload/upload.service.js';
import type { PlatformId } from './core/platform.js';

/** How long closing waits for notifications still being delivered. */
const NOTIFY_FLUSH_MS = 5_000;

/** Notifications to a webhook, for what the product announces. */
function webhookNotifier(url: string, events: ActivityBus, log: Logger, where: string): Notifier {
  const notifier = new Notifier((body) => postJson(url, body, 10_000), log);
  notifyOnEvents(events, notifier, where);
  return notifier;
}

/** The product on one root, opened once: its jobs, and the services they are made of. */
export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly events: ActivityBus;
  readonly jobs: Jobs;
  readonly services: Services;
  /** The library cache: review statuses by name. */
  readonly library: Pick<LibraryRepository, 'get'>;
  /** Sends notifications to NOTIFY_WEBHOOK_URL, when it is set. */
  readonly notifier: Notifier | undefined;
  /** Closes the browser, writes what is pending, flushes the database and releases the root. */
  close(): Promise<void>;
}

/**
 * Checks the machine (ffmpeg), takes the root's lock, opens the database and builds every service.
 * The only place that wires services together; what they do together is in {@link Jobs}.
 */
export async function openApp(config: Config, log: Logger): Promise<App> {
  const { layout } = config;
  const storage = new StorageRepository();
  const binaries = locateFfmpeg(config, undefined, storage);
  await verifyFfmpeg(binaries);
  for (const dir of layout.folders) await storage.ensureDir(dir);
  // Machine state, the session and screenshots of the account: for this user's eyes only.
  await storage.ensureDir(layout.data, 0o700);
  // Said at every start until fixed: a password readable by other users is a password shared with them.
  const exposure = await dotEnvExposure(layout.root, storage);
  if (exposure) log.warn({ file: dotEnvPath(layout.root) }, exposure);
  const lock = await ProcessLock.acquire(layout.lockFile, storage);
  try {
    // archive/ holds a year of folders: its own service sweeps only those a move was under way to.
    for (const dir of [layout.uploaded, layout.tmp, layout.inventoryParts]) await storage.removeStaleTemps(dir);
    const events = new ActivityBus();
    // Aborted first thing on close, which the daemon reaches once its grace period is over: a
    // platform's wait (an ExoClick rate-limit reset) or request left then is abandoned, never waited out.
    const closing = new AbortController();
    const folderDefaults = new MetadataDefaultsFile(layout.metadataDefaultsCsv, storage, (error) => log.error({ file: layout.metadataDefaultsCsv }, `${error.plain} Keeping the rows read before.`));
    await folderDefaults.loadStrict();
    const knownFakes = new KnownFakesFile(layout.knownFakesCsv, storage, (error) => log.error({ file: layout.knownFakesCsv }, `${error.plain} Keeping the rows read before.`));
    const media = new MediaRepository(binaries, config.profile.input.maxImagePixels, Math.max(1, Math.floor(os.availableParallelism() / config.concurrency)));
    const creatives = await CreativeRepository.open(layout.db, storage);
    const library = await LibraryRepository.open(layout.libraryCacheFile('tj'), storage);
    const exoLibrary = await LibraryRepository.open(layout.libraryCacheFile('exoclick'), storage);
    if (library.size === 0 && (await storage.exists(layout.libraryCsv))) {
      const imported = await importLibraryCsv(layout.libraryCsv, library, storage);
      log.info({ imported, file: layout.libraryCsv }, 'Imported the existing TJ library export into the library cache');
    }
    const runState = await RunStateRepository.open(layout.db, storage);
    const sessionStatus = new SessionStatusFile(layout.platformStatusFile('tj'), storage);
    const exoStatus = new SessionStatusFile(layout.platformStatusFile('exoclick'), storage);
    const campaignAds = await CampaignAdsRepository.open(layout.db, storage);
    const inventory = new InventoryService(creatives, storage, log, {
      file: layout.inventoryCsv,
      partsDir: layout.inventoryParts,
      debounceMs: config.inventoryDebounceMs,
      facts: {
        reviewStatusOf: (name, platform) => (platform === 'tj' ? library : exoLibrary).get(name)?.reviewStatus,
        campaignsOf: (creativeId) => campaignAds.campaignsOf(creativeId),
      },
      factsFiles: () => [...library.files, ...exoLibrary.files, campaignAds.currentFile()],
    });
    library.onChange = exoLibrary.onChange = (name) => inventory.factsChanged([name]);
    campaignAds.onChange = (creativeIds) => {
      const names = creativeIds.map((id) => library.nameOf(id) ?? exoLibrary.nameOf(id));
      // An id the caches lack (a walk stopped at its page limit) cannot be placed: every row is rendered again.
      if (names.some((name) => name === undefined)) inventory.allFactsChanged();
      else inventory.factsChanged(names.flatMap((name) => name ?? []));
    };
    const tracking = new TrackingService(layout, storage, creatives, library, config.campaign, log, config.inventoryDebounceMs);
    const archive = new ArchiveService(creatives, runState, storage, layout, events, log);
    const checkpoints = new CheckpointRepository(layout, storage);
    const campaignAdsService = new CampaignAdsService(campaignAds, log);
    const targets = new CampaignTargetsFile(layout.campaignTargetsCsv, storage, (error) => log.error({ file: layout.campaignTargetsCsv }, `${error.plain} Keeping the rules read before.`));
    await targets.current(true);
    const handsOff = new HandsOffService(layout, storage, targets, checkpoints, campaignAdsService, log, { maxAttempts: config.campaignMaxAttempts });
    events.on('creative', () => inventory.scheduleWrite());
    const uploadOptions: Omit<UploadOptions, 'platform' | 'batchSize' | 'paceMs'> = { platforms: config.platforms, retries: 3, retryBaseMs: 1_000, lookupPages: 3, maxFailedPasses: config.uploadMaxPasses };
    const results = openResults(config, { storage, creatives, log }, resultsPlatforms(config, log, closing.signal));
    const services: Services = {
      storage,
      creatives,
      runState,
      inventory,
      ingest: new IngestService(
        { layout, storage, creatives, events, log, pause: new DiskPause(storage, events, log, { folders: [layout.uploaded, layout.archive, layout.tmp, layout.db] }), steps: stageSteps({ layout, profile: config.profile, storage, media, creatives, log }, { folderDefaults, configDefaults: config.defaults, index: creatives.index }, knownFakes) },
        { concurrency: config.concurrency, maxAttempts: config.maxAttempts, stabilityMs: config.stabilityMs },
      ),
      platforms: {
        tj: {
          uploads: new UploadService(creatives, library, layout, events, log, { ...uploadOptions, platform: 'tj', batchSize: config.uploadBatchSize, paceMs: config.uploadPaceMs }),
          connection: new PlatformConnection({
            platform: 'tj',
            // Playwright is loaded with the first browser, not at start: an idle or dry-run daemon holds none of it.
            open: async () => (await import('./platform/tj/tj-uploader.js')).TjUploader.open(tjConnection(config), { layout, storage, log, events }),
            session: new SessionFile(layout.sessionFile, storage),
            status: sessionStatus,
            credentials: credentialsFingerprint(config.tjUsername, config.tjPassword),
            events,
            log,
          }),
          librarySync: new LibrarySyncService('tj', library, config.libraryMaxPages, log),
          sessionStatus,
        },
        exoclick: {
          // One request per file, its pace the API's rate limit: no pause of our own between batches.
          uploads: new UploadService(creatives, exoLibrary, layout, events, log, { ...uploadOptions, platform: 'exoclick', batchSize: 10, paceMs: 0, unfit: exoUnfit(config.exoProfile) }),
          connection: new PlatformConnection({
            platform: 'exoclick',
            open: () => ExoUploader.open(exoConnection(config), { storage, log, signal: closing.signal }),
            // No saved session: the API token alone opens it, and only a new token ends a refusal.
            session: { savedAt: async () => 0 },
            status: exoStatus,
            credentials: credentialsFingerprint('exoclick', config.exoApiToken),
            events,
            log,
          }),
          librarySync: new LibrarySyncService('exoclick', exoLibrary, config.libraryMaxPages, log),
          sessionStatus: exoStatus,
        },
      } satisfies Record<PlatformId, PlatformServices>,
      archive,
      tracking,
      reports: new ReportService(layout, storage, creatives, library, media, config.campaign, config.dryRun, config.platforms.map((platform) => ({ platform, status: platform === 'tj' ? sessionStatus : exoStatus })), { ads: campaignAds, stuck: () => handsOff.stuck() }, log, results),
      results,
      campaigns: { checkpoints, campaignAds: campaignAdsService, handsOff },
      retention: new RetentionService(layout, storage, log, config.retentionDays),
      events,
    };
    await archive.removeStaleTemps();
    const notifier = config.notifyWebhookUrl === undefined ? undefined : webhookNotifier(config.notifyWebhookUrl, events, log, `${os.hostname()}:${layout.root}`);
    log.info({ root: layout.root, dryRun: config.dryRun, creatives: creatives.index.size, ffmpeg: binaries.ffmpeg, notifications: notifier !== undefined }, 'creative-flow ready');
    return {
      config,
      log,
      events,
      services,
      library,
      notifier,
      jobs: new Jobs(services, config, log),
      async close() {
        closing.abort();
        try {
          for (const platform of Object.values(services.platforms)) await platform.connection.close();
          // What people read is made from the database: a failure to write it does not keep the database from closing.
          for (const [what, flush] of [['the inventory', () => inventory.flush()], ['the library export', () => tracking.flush()]] as const) {
            await flush().catch((error: unknown) => log.error({ err: error }, `Could not write ${what} before stopping; it is written again at the next start's first change`));
          }
          await creatives.close();
          await notifier?.flush(NOTIFY_FLUSH_MS);
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

/** Each enabled platform's reporting client, or why its results are not fetched. The key's fingerprint tells a refused key from a new one. */
function resultsPlatforms(config: Config, log: Logger, signal: AbortSignal): ResultsPlatform[] {
  return config.platforms.map((platform): ResultsPlatform => {
    if (platform === 'tj') {
      const source = createTjResults({ apiUrl: config.tjApiUrl, apiKey: config.tjApiKey, log });
      return { platform, source, notFetched: 'TJ_API_KEY is not set', keyFingerprint: credentialsFingerprint('tj-reporting', config.tjApiKey) };
    }
    const source = config.exoApiToken ? ExoResults.open(exoConnection(config), { log, signal }, { conversionGoal: config.exoConversionGoal }) : undefined;
    return { platform, source, notFetched: 'EXO_API_TOKEN is not set', keyFingerprint: credentialsFingerprint('exoclick', config.exoApiToken) };
  });
}

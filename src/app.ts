import os from 'node:os';
import { ArchiveService } from './archive/archive.service.js';
import { CampaignAdsService } from './campaigns/campaign-ads.service.js';
import { CampaignTargetsFile } from './campaigns/campaign-targets.js';
import { exoIdsByTjId } from './campaigns/exo-id-index.js';
import { HandsOffService } from './campaigns/hands-off.service.js';
import { dotEnvPath, type Config } from './config/config.js';
import { dotEnvExposure } from './config/env-permissions.js';
import { configuredPlatforms } from './config/platform-settings.js';
import { ActivityBus } from './core/events.js';
import type { Logger } from './core/logger.js';
import type { PlatformId } from './core/platform.js';
import { RetentionService } from './housekeeping/retention.service.js';
import { DiskPause } from './ingest/disk-pause.js';
import { IngestService } from './ingest/ingest.service.js';
import { KnownFakesFile } from './ingest/known-fakes.js';
import { stageSteps } from './ingest/steps.js';
import { CampaignJobs } from './jobs/campaign-jobs.js';
import { Jobs, type PlatformServices, type Services } from './jobs/jobs.js';
import { locateFfmpeg, verifyFfmpeg } from './media/ffmpeg-binaries.js';
import { MediaRepository } from './media/media.repository.js';
import { MetadataDefaultsFile } from './naming/metadata-defaults.js';
import { notifyOnEvents } from './notify/notices.js';
import { Notifier } from './notify/notifier.js';
import { postJson } from './notify/webhook.js';
import { PlatformConnection } from './platform/connection.js';
import type { Platform, PlatformDeps } from './platform/platform-module.js';
import { SessionStatusFile } from './platform/session-status.js';
import { ReportService } from './report/report.service.js';
import { openResults } from './results/open-results.js';
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
import { UploadService } from './upload/upload.service.js';

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
 * Checks the machine (ffmpeg), takes the root's lock, opens the database and builds every service,
 * once, in the pipeline's order: the stores, then watch-probe-name-convert-dedupe (ingest), upload
 * (each platform through the registry), archive, tracking, campaigns, report and results. The only
 * place that wires services together; what they do together is in {@link Jobs}. Services tell each
 * other of changes through the event bus, never through callbacks set after construction.
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
    const keepingRowsReadBefore = (file: string, what: string) => (error: { plain: string }) =>
      log.error({ file }, `${error.plain} Keeping the ${what} read before.`);

    // The stores.
    const creatives = await CreativeRepository.open(layout.db, storage);
    const runState = await RunStateRepository.open(layout.db, storage);
    const campaignAds = await CampaignAdsRepository.open(layout.db, storage, events);
    // Every platform built in or enabled, with its settings: bound once, for the caches here and the uploads below.
    const registered = configuredPlatforms(config);
    const libraries = await openLibraries(config, registered, storage, events, log);

    // Watch, probe, name, convert, dedupe.
    const folderDefaults = new MetadataDefaultsFile(
      layout.metadataDefaultsCsv,
      storage,
      keepingRowsReadBefore(layout.metadataDefaultsCsv, 'rows'),
    );
    await folderDefaults.loadStrict();
    const knownFakes = new KnownFakesFile(
      layout.knownFakesCsv,
      storage,
      keepingRowsReadBefore(layout.knownFakesCsv, 'rows'),
    );
    const media = new MediaRepository(
      binaries,
      config.profile.input.maxImagePixels,
      Math.max(1, Math.floor(os.availableParallelism() / config.concurrency)),
    );
    const ingest = new IngestService(
      {
        layout,
        storage,
        creatives,
        events,
        log,
        pause: new DiskPause(storage, events, log, {
          folders: [layout.uploaded, layout.archive, layout.tmp, layout.db],
        }),
        steps: stageSteps(
          { layout, profile: config.profile, storage, media, creatives, log },
          { folderDefaults, configDefaults: config.defaults, index: creatives.index },
          knownFakes,
        ),
      },
      { concurrency: config.concurrency, maxAttempts: config.maxAttempts, stabilityMs: config.stabilityMs },
    );

    // Upload: each registered platform through its module, with its slice of the settings.
    const platformDeps: PlatformDeps = { layout, storage, log, events, signal: closing.signal };
    const uploadOptions = {
      platforms: config.platforms,
      retries: 3,
      retryBaseMs: 1_000,
      lookupPages: 3,
      maxFailedPasses: config.uploadMaxPasses,
    };
    const platforms = new Map(
      [...registered.values()].map((platform): [PlatformId, PlatformServices] => {
        const library = libraries.of(platform.id);
        const sessionStatus = new SessionStatusFile(platform.statusFile(layout), storage);
        const connection = new PlatformConnection({
          platform: platform.id,
          ...platform.connection(platformDeps),
          status: sessionStatus,
          events,
          log,
        });
        const uploads = new UploadService({
          creatives,
          library,
          layout,
          events,
          log,
          options: {
            ...uploadOptions,
            platform: platform.id,
            ...platform.uploadPlan(),
          },
        });
        const librarySync = new LibrarySyncService(platform.id, library, config.libraryMaxPages, log);
        return [platform.id, { uploads, connection, librarySync, sessionStatus }];
      }),
    );
    const servicesOf = (id: PlatformId): PlatformServices => {
      const services = platforms.get(id);
      if (!services) throw new Error(`No services were built for the platform "${id}"`);
      return services;
    };

    // Archive, and what people read: the tracking CSVs and the inventory.
    const archive = new ArchiveService({ creatives, runState, storage, layout, events, log });
    const tracking = new TrackingService({
      layout,
      storage,
      creatives,
      library: libraries.of('tj'),
      template: config.campaign,
      log,
      exportDebounceMs: config.inventoryDebounceMs,
    });
    const inventory = new InventoryService(creatives, storage, log, {
      file: layout.inventoryCsv,
      partsDir: layout.inventoryParts,
      debounceMs: config.inventoryDebounceMs,
      facts: {
        reviewStatusOf: (name, platform) => libraries.all.get(platform)?.get(name)?.reviewStatus,
        campaignsOf: (creativeId) => campaignAds.campaignsOf(creativeId),
      },
      factsFiles: () => [...[...libraries.all.values()].flatMap((library) => library.files), campaignAds.currentFile()],
    });
    events.on('creative', () => inventory.scheduleWrite());
    events.on('libraryChanged', (name) => inventory.factsChanged([name]));
    events.on('adsRecorded', (creativeIds) => {
      const names = creativeIds.map((id) =>
        [...libraries.all.values()].reduce<string | undefined>(
          (found, library) => found ?? library.nameOf(id),
          undefined,
        ),
      );
      // An id the caches lack (a walk stopped at its page limit) cannot be placed: every row is rendered again.
      if (names.some((name) => name === undefined)) inventory.allFactsChanged();
      else inventory.factsChanged(names.flatMap((name) => name ?? []));
    });

    // Campaigns: the ads `campaigns create` and the hands-off work make.
    const checkpoints = new CheckpointRepository(layout, storage);
    const campaignAdsService = new CampaignAdsService(campaignAds, log);
    const targets = new CampaignTargetsFile(
      layout.campaignTargetsCsv,
      storage,
      keepingRowsReadBefore(layout.campaignTargetsCsv, 'rules'),
    );
    await targets.current(true);
    const handsOff = new HandsOffService({
      layout,
      storage,
      targets,
      checkpoints,
      campaigns: campaignAdsService,
      log,
      options: {
        maxAttempts: config.campaignMaxAttempts,
      },
    });
    const campaigns = new CampaignJobs(
      {
        storage,
        checkpoints,
        campaignAds: campaignAdsService,
        handsOff,
        connections: Object.fromEntries([...platforms].map(([id, { connection }]) => [id, connection])),
        exoIdsByTjId: () => exoIdsByTjId(creatives),
        inventory,
      },
      config,
      log,
    );

    // Report and results.
    const enabled = config.platforms.flatMap((id) => registered.get(id) ?? []);
    const reporting = enabled.map((platform) => ({
      platform: platform.id,
      ...platform.results({ log, signal: closing.signal }),
    }));
    const results = openResults(config, { storage, creatives, log }, reporting);
    const reports = new ReportService({
      layout,
      storage,
      creatives,
      library: libraries.of('tj'),
      media,
      template: config.campaign,
      dryRun: config.dryRun,
      platforms: enabled.map(({ id }) => ({ platform: id, status: servicesOf(id).sessionStatus })),
      campaigns: { ads: campaignAds, stuck: () => handsOff.stuck() },
      log,
      results,
    });

    const services: Services = {
      storage,
      creatives,
      runState,
      ingest,
      platforms: Object.fromEntries(platforms),
      archive,
      tracking,
      inventory,
      campaigns,
      reports,
      results,
      retention: new RetentionService(layout, storage, log, config.retentionDays),
      events,
    };
    await archive.removeStaleTemps();
    const notifier =
      config.notifyWebhookUrl === undefined
        ? undefined
        : webhookNotifier(config.notifyWebhookUrl, events, log, `${os.hostname()}:${layout.root}`);
    log.info(
      {
        root: layout.root,
        dryRun: config.dryRun,
        creatives: creatives.index.size,
        ffmpeg: binaries.ffmpeg,
        notifications: notifier !== undefined,
      },
      'creative-flow ready',
    );
    return {
      config,
      log,
      events,
      services,
      library: libraries.of('tj'),
      notifier,
      jobs: new Jobs(services, config, log),
      async close() {
        closing.abort();
        try {
          for (const platform of Object.values(services.platforms)) await platform.connection.close();
          // What people read is made from the database: a failure to write it does not keep the database from closing.
          for (const [what, flush] of [
            ['the inventory', () => inventory.flush()],
            ['the library export', () => tracking.flush()],
          ] as const) {
            await flush().catch((error: unknown) =>
              log.error(
                { err: error },
                `Could not write ${what} before stopping; it is written again at the next start's first change`,
              ),
            );
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

/** Each registered platform's library cache, by id. */
interface Libraries {
  readonly all: ReadonlyMap<PlatformId, LibraryRepository>;
  /** A registered platform's cache. */
  of(id: PlatformId): LibraryRepository;
}

/** Each registered platform's library cache; TJ's is filled from the team's existing library export on a first start. */
async function openLibraries(
  config: Config,
  registered: ReadonlyMap<PlatformId, Platform>,
  storage: StorageRepository,
  events: ActivityBus,
  log: Logger,
): Promise<Libraries> {
  const { layout } = config;
  const opened = await Promise.all(
    [...registered.values()].map(
      async (platform) =>
        [platform.id, await LibraryRepository.open(platform.libraryCacheFile(layout), storage, events)] as const,
    ),
  );
  const all = new Map<PlatformId, LibraryRepository>(opened);
  const of = (id: PlatformId): LibraryRepository => {
    const library = all.get(id);
    if (!library) throw new Error(`No library cache was opened for the platform "${id}"`);
    return library;
  };
  const tj = of('tj');
  if (tj.size === 0 && (await storage.exists(layout.libraryCsv))) {
    const imported = await importLibraryCsv(layout.libraryCsv, tj, storage);
    log.info({ imported, file: layout.libraryCsv }, 'Imported the existing TJ library export into the library cache');
  }
  return { all, of };
}

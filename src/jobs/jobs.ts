import type { ArchiveService } from '../archive/archive.service.js';
import { missingCampaignSettings } from '../config/campaign-template.js';
import type { Config } from '../config/config.js';
import { describeError, ShutdownError } from '../core/errors.js';
import { daysBefore, reportingDay } from '../results/days.js';
import type { FetchOutcome, ResultsService } from '../results/results.service.js';
import type { ResultsTable } from '../results/results-table.js';
import type { ActivityBus } from '../core/events.js';
import type { PruneResult, RetentionService } from '../housekeeping/retention.service.js';
import { localDate } from '../core/dates.js';
import type { Logger } from '../core/logger.js';
import type { ArchivedBatch, UploadOutcome, UploadSummary } from '../core/outcomes.js';
import { platformName, type PlatformId } from '../core/platform.js';
import type { IngestService } from '../ingest/ingest.service.js';
import { findUnknownInboxFiles } from '../intake/reconcile.js';
import { watchInbox } from '../intake/watch.js';
import type { PlatformConnection } from '../platform/connection.js';
import type { SessionStatusFile } from '../platform/session-status.js';
import { CredentialsRefusedError, LoginRequiredError } from '../platform/uploader.js';
import type { ReportService } from '../report/report.service.js';
import { statusReport, type StatusReport } from '../report/status-report.js';
import type { CreativeRecord } from '../core/record.js';
import { INGEST_STATES } from '../core/state.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { RunStateRepository } from '../store/run-state.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import type { InventoryService } from '../tracking/inventory.service.js';
import type { TrackingService } from '../tracking/tracking.service.js';
import type { LibrarySyncService, RefreshResult, ReviewChange } from '../upload/library-sync.service.js';
import type { UploadService } from '../upload/upload.service.js';
import type { CampaignJobs } from './campaign-jobs.js';
import { dryRunList, mergeSummaries, type PlatformPass } from './pass-summary.js';
import { Serial } from '../core/serial.js';

/** One platform's part of the work: its uploads, its session, its library cache. */
export interface PlatformServices {
  readonly uploads: Pick<UploadService, 'hasWork' | 'plan' | 'run' | 'retryFailed'>;
  readonly connection: Pick<PlatformConnection, 'waitingFor' | 'use' | 'pauseForLogin' | 'keepAlive' | 'close'>;
  readonly librarySync: Pick<LibrarySyncService, 'syncStatuses' | 'refreshLibrary'>;
  /** Why work on the platform waits for a person, as recorded. */
  readonly sessionStatus: Pick<SessionStatusFile, 'read'>;
}

/** The services the jobs are made of, and what the jobs use of each; `openApp` builds them once. */
export interface Services {
  readonly storage: StorageRepository;
  readonly creatives: CreativeRepository;
  readonly runState: Pick<RunStateRepository, 'dryRunPlanChanged'>;
  readonly ingest: Pick<
    IngestService,
    'observe' | 'submit' | 'resumeUnfinished' | 'retryFailed' | 'settled' | 'stop' | 'counts' | 'paused'
  >;
  /** Every platform's part; the jobs work with those `PLATFORMS` enables. */
  readonly platforms: Readonly<Record<PlatformId, PlatformServices>>;
  readonly archive: Pick<ArchiveService, 'run' | 'openBatches' | 'completed' | 'csvsWritten'>;
  readonly tracking: Pick<
    TrackingService,
    'writeUploadStatus' | 'writeLibraryExport' | 'scheduleLibraryExport' | 'writeCampaignCsvs'
  >;
  readonly inventory: Pick<InventoryService, 'scheduleWrite' | 'writeNow' | 'flush'>;
  readonly reports: Pick<ReportService, 'write' | 'thumbnail'>;
  /** Creating ads in campaigns: the command's and the daemon's hands-off work. */
  readonly campaigns: Pick<CampaignJobs, 'create' | 'queueBatch' | 'handsOffPass' | 'forgetDone'>;
  readonly retention: Pick<RetentionService, 'prune'>;
  /** Each creative's figures from the platforms' reporting APIs, and the verdicts. */
  readonly results: Pick<ResultsService, 'fetch' | 'table' | 'statusLines'>;
  /** Where jobs announce what they did (the daily report written). */
  readonly events: Pick<ActivityBus, 'emit' | 'on' | 'off'>;
}

export interface UploadPassOptions {
  /** Send names the library cache already knows. */
  readonly force?: boolean;
  /** Stage again, first, the creatives whose upload failed for good. */
  readonly retryFailed?: boolean;
  /** Aborted on shutdown: the batch under way finishes, no other starts. */
  readonly signal?: AbortSignal;
}

export interface UploadPassResult {
  /** Undefined when nothing was sent or planned (nothing staged, an unchanged dry-run plan, a person awaited). */
  readonly summary: UploadSummary | undefined;
  readonly archived: readonly ArchivedBatch[];
  /** Why uploads to a platform wait for a person (a login, refused credentials), in plain words, each named. */
  readonly waitingFor: string | undefined;
}

/** Something that was started and must be closed: the inbox watcher. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Every job the product does, in one place. The daemon schedules these, the CLI parses arguments
 * and calls them, and nothing else strings the services together: a job is never assembled from
 * steps in two places.
 */
export class Jobs {
  private readonly uploadTurns = new Serial();
  /** Upload passes that failed one after the other (a login wait is not a failure): the notice says so from the third. */
  private failedPassesInARow = 0;

  constructor(
    private readonly services: Services,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** An enabled platform's services: config checks `PLATFORMS` against the registry, and the app builds them for each. */
  private platform(id: PlatformId): PlatformServices {
    const services = this.services.platforms[id];
    if (!services) throw new Error(`No services were built for the platform "${id}"`);
    return services;
  }

  /** `campaigns create`, and the ads the daemon creates on its own after a batch. */
  get campaigns(): Services['campaigns'] {
    return this.services.campaigns;
  }

  /** Watches `inbox/`: each file the watcher reports is taken once it stops changing. */
  async watchInbox(): Promise<Closable> {
    return watchInbox(
      this.config.layout,
      this.services.storage,
      (file) => this.services.ingest.observe(file),
      this.log,
    );
  }

  /**
   * Compares `inbox/` with the database: files no record accounts for are taken in (the watcher
   * may have missed them), and records a crash left between steps are resumed. Returns how many.
   */
  async reconcile(): Promise<number> {
    const { ingest, storage, creatives } = this.services;
    const unknown = await findUnknownInboxFiles(this.config.layout, storage, creatives);
    for (const file of unknown) ingest.observe(file);
    const resumed = ingest.resumeUnfinished();
    if (unknown.length > 0 || resumed > 0) {
      const found =
        unknown.length > 0 ? `${unknown.length} file${unknown.length === 1 ? '' : 's'} in inbox/ taken in` : '';
      const carried =
        resumed > 0
          ? `${resumed} file${resumed === 1 ? '' : 's'} carried on from where ${resumed === 1 ? 'it' : 'they'} stopped`
          : '';
      this.log.info({ found: unknown.length, resumed }, [found, carried].filter(Boolean).join('; '));
    }
    return unknown.length + resumed;
  }

  /** Ingests everything in `inbox/` and every unfinished record (failed ones too, when asked), and returns once nothing is in flight. */
  async ingestAll(options: { retryFailed: boolean }): Promise<void> {
    const { ingest, events } = this.services;
    if (options.retryFailed) await ingest.retryFailed();
    // How far the backlog has got, for a progress display: files taken in, and creatives past the ingest.
    let total = 0;
    const done = new Set<string>();
    const tell = (): void =>
      void events.emit('progress', {
        work: 'ingest',
        part: 'inbox',
        done: done.size,
        total: Math.max(total, done.size),
        unit: 'files',
      });
    const onCreative = (record: CreativeRecord): void => {
      if (INGEST_STATES.has(record.state) || done.has(record.key)) return;
      done.add(record.key);
      tell();
    };
    events.on('creative', onCreative);
    try {
      // Settle after every pass, the first included: work may already be under way. Stop after a
      // pass that found nothing new.
      for (let more = true; more;) {
        const found = await this.reconcile();
        total += found;
        if (found > 0) tell();
        more = found > 0;
        await ingest.settled();
      }
    } finally {
      events.off('creative', onCreative);
    }
  }

  /**
   * One upload pass: what is staged goes to the platform (a dry run reports its plan once per
   * change instead), then uploaded creatives are archived and the tracking files written. Passes
   * asked for at once (the schedule, the dashboard, a command) run one after the other.
   */
  uploadPass(options: UploadPassOptions = {}): Promise<UploadPassResult> {
    return this.uploadTurns.run(() => this.runUploadPass(options));
  }

  private async runUploadPass(options: UploadPassOptions): Promise<UploadPassResult> {
    const { runState, tracking } = this.services;
    const enabled = this.config.platforms;
    if (options.retryFailed) for (const id of enabled) await this.platform(id).uploads.retryFailed();
    let summary: UploadSummary | undefined;
    const waits: string[] = [];
    let failure: unknown;
    if (this.config.dryRun) {
      const outcomes: UploadOutcome[] = [];
      for (const id of enabled) outcomes.push(...(await this.platform(id).uploads.plan()));
      // Reported once per plan, not every pass, and not again by the next `process --once`.
      if (
        outcomes.length > 0 &&
        (await runState.dryRunPlanChanged(outcomes.map((outcome) => `${outcome.platform}:${outcome.path}`)))
      ) {
        this.log.info(
          { files: outcomes.length },
          `Dry run: ${dryRunList(outcomes)} would be uploaded (use --live or DRY_RUN=false)`,
        );
        summary = {
          dryRun: true,
          outcomes,
          uploaded: 0,
          duplicates: 0,
          rejected: 0,
          pending: outcomes.length,
          loginRequired: false,
        };
      }
    } else {
      // The platforms work side by side: one that waits for a person, or is slow, holds back no other.
      const passes = await Promise.all(enabled.map((id) => this.platformPass(id, options)));
      for (const pass of passes) {
        if (pass.waitingFor) waits.push(`${platformName(pass.platform)}: ${pass.waitingFor}`);
        if (pass.failure !== undefined && failure === undefined) failure = pass.failure;
        if (pass.summary) summary = summary ? mergeSummaries(summary, pass.summary) : pass.summary;
      }
      if (summary) {
        const { outcomes: _outcomes, ...counts } = summary;
        // Files, not creatives (a native pair is two files), as the upload_status CSV counts them; `status` and the report count creatives.
        const said = `Upload pass done: ${summary.uploaded} files uploaded, ${summary.duplicates} already there, ${summary.rejected} refused, ${summary.pending} still waiting (files sent to the platforms, a native pair being two)`;
        if (summary.uploaded + summary.duplicates + summary.rejected > 0 || summary.pending > 0)
          this.log.info(counts, said);
      }
    }
    const waitingFor = waits.length > 0 ? waits.join('; ') : undefined;
    // Archived first, so each row of the status file carries its archive batch.
    const archived = await this.archive();
    if (summary && summary.outcomes.length > 0) await tracking.writeUploadStatus(summary.outcomes);
    if (summary && !summary.dryRun) tracking.scheduleLibraryExport();
    await this.campaigns.handsOffPass(options.signal);
    if (failure !== undefined) {
      this.failedPassesInARow += 1;
      this.services.events.emit('passFailed', this.failedPassesInARow, describeError(failure));
      // Rethrown as it was caught: the daemon's pass tells a shutdown and a storage fault by their type.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw failure;
    }
    this.failedPassesInARow = 0;
    return { summary, archived, waitingFor };
  }

  /** One platform's share of an upload pass: no session is opened, or kept busy, when it has nothing to send. */
  private async platformPass(platform: PlatformId, options: UploadPassOptions): Promise<PlatformPass> {
    // Whatever goes wrong stays this platform's: the other's pass is still awaited, and the pass goes on.
    return this.sendTo(platform, options).catch((failure: unknown) => ({ platform, failure }));
  }

  private async sendTo(platform: PlatformId, options: UploadPassOptions): Promise<PlatformPass> {
    const { uploads, connection } = this.platform(platform);
    if (!(await uploads.hasWork())) return { platform };
    const waiting = await connection.waitingFor();
    if (waiting) return { platform, waitingFor: waiting };
    let failure: unknown;
    const summary = await connection
      .use((uploader) => uploads.run(uploader, options))
      .catch((error: unknown) => {
        // Refused credentials, or a person asked for before the first page (a captcha at the first
        // sign-in): recorded by the connection, said once; the files wait.
        if (error instanceof CredentialsRefusedError || error instanceof LoginRequiredError) return undefined;
        // Anything else (a browser that died, a page that never loaded): the rest of the pass still runs, then it fails.
        failure = error;
        return undefined;
      });
    if (summary?.loginRequired)
      await connection.pauseForLogin(summary.loginMessage ?? `${platformName(platform)} asks for a person to sign in`);
    const waitingFor = await connection.waitingFor();
    return {
      platform,
      ...(summary ? { summary } : {}),
      ...(waitingFor ? { waitingFor } : {}),
      ...(failure === undefined ? {} : { failure }),
    };
  }

  /**
   * Archives every uploaded creative into a new batch folder (and finishes a batch a crash cut
   * short), and moves files TJ refused to the rejected folder. Then writes the campaign CSVs of
   * every batch whose creatives are all archived and whose CSVs are not written yet, which after a
   * crash between the moves and the CSVs means now; and writes again, ready, those written with
   * placeholder settings once the settings have changed. Returns the batches whose CSVs it wrote.
   */
  async archive(): Promise<ArchivedBatch[]> {
    const { archive, tracking } = this.services;
    await archive.run();
    const stillMissing = new Set(missingCampaignSettings(this.config.campaign));
    const written: ArchivedBatch[] = [];
    for (const open of archive.openBatches()) {
      if (open.csvs === 'not-ready' && open.missing.every((setting) => stillMissing.has(setting))) continue;
      const batch = await archive.completed(open);
      if (!batch) continue;
      const { files, missing } = await tracking.writeCampaignCsvs(batch, open.files);
      // Queued before the batch is marked done: a crash in between writes and queues it again, which changes nothing.
      if (missing.length === 0) await this.campaigns.queueBatch(batch, files);
      await archive.csvsWritten(open.batch, missing.length === 0 ? { ready: true } : { ready: false, files, missing });
      written.push(batch);
    }
    return written;
  }

  /**
   * `process --once`: ingest everything, failed files included, then one upload pass. Returns the
   * counts after, and why work paused when the disk refused writes (nothing is lost: the files wait).
   */
  async processOnce(): Promise<{ status: StatusReport; paused: string | undefined }> {
    await this.ingestAll({ retryFailed: true });
    const paused = this.services.ingest.paused;
    if (!paused) {
      await this.uploadPass();
      await this.services.inventory.writeNow();
    }
    return { status: await this.status(), paused };
  }

  /**
   * Updates review statuses from every enabled platform (`full`: every page, not only the newest);
   * returns the creatives whose status changed. `signal` (the daemon stopping) ends the walk at its
   * next page, and nothing of it is kept.
   */
  async syncStatuses(options: { full?: boolean; signal?: AbortSignal } = {}): Promise<ReviewChange[]> {
    const changes = await this.eachPlatform(
      ({ connection, librarySync }) => connection.use((uploader) => librarySync.syncStatuses(uploader, options)),
      options.signal,
    );
    await this.afterLibraryChange();
    return changes.flat();
  }

  /**
   * Rebuilds each enabled platform's library cache from its whole library; says what is new and
   * what is gone. `signal` ends the walk at its next page, leaving the cache as it was: a walk cut
   * short would call every creative it did not reach gone.
   */
  async refreshLibrary(options: { signal?: AbortSignal } = {}): Promise<RefreshResult> {
    const results = await this.eachPlatform(
      ({ connection, librarySync }) =>
        connection.use((uploader) => librarySync.refreshLibrary(uploader, options.signal)),
      options.signal,
    );
    await this.afterLibraryChange();
    return {
      found: results.reduce((sum, result) => sum + result.found, 0),
      added: results.flatMap((result) => result.added),
      gone: results.flatMap((result) => result.gone),
    };
  }

  /** Writes the daily report of `date` (default today) as Markdown, JSON and HTML; returns the files. */
  async dailyReport(date = localDate(), signal?: AbortSignal): Promise<readonly string[]> {
    const { report, files } = await this.services.reports.write(date, signal);
    this.services.events.emit('report', { date, counts: report.counts, files });
    return files;
  }

  /** Stages again the files that failed for good, in the ingest and in uploads; the next passes take them. */
  async retryFailed(): Promise<{ ingest: number; uploads: number }> {
    const uploads = await this.eachPlatform((platform) => platform.uploads.retryFailed());
    return {
      ingest: await this.services.ingest.retryFailed(),
      uploads: uploads.reduce((sum, count) => sum + count, 0),
    };
  }

  /** Prunes screenshots, temporary files and reports older than the retention, and hands-off campaigns done before it. */
  async housekeeping(): Promise<PruneResult & { campaignsForgotten: number }> {
    const before = Date.now() - this.config.retentionDays * 86_400_000;
    return {
      ...(await this.services.retention.prune()),
      campaignsForgotten: await this.services.campaigns.forgetDone(before),
    };
  }

  /** Counts per state, files in progress, and the last errors. */
  async status(): Promise<StatusReport> {
    const platforms = await Promise.all(
      this.config.platforms.map(async (platform) => ({
        platform,
        waiting: await this.platform(platform).sessionStatus.read(),
      })),
    );
    return statusReport(this.services.creatives, platforms, await this.services.results.statusLines());
  }

  /** Fetches each platform's results now: the rolling window and the missing days (`fetch-results`, and the daemon on `RESULTS_CRON`). */
  async fetchResults(options: { signal?: AbortSignal } = {}): Promise<FetchOutcome[]> {
    return this.services.results.fetch(new Date(), options.signal);
  }

  /** The creatives' results from `from` to `to` (default: the last 7 reporting days), best first, with their verdicts. */
  async results(options: { from?: string | undefined; to?: string | undefined } = {}): Promise<ResultsTable> {
    const to = options.to ?? reportingDay(new Date());
    return this.services.results.table(options.from ?? daysBefore(to, 7)[0] ?? to, to);
  }

  /** Keeps idle platform sessions alive. */
  async keepAlive(): Promise<void> {
    await this.eachPlatform((platform) => platform.connection.keepAlive());
  }

  /** Runs work for each enabled platform, one after the other; none starts once `signal` is aborted. */
  private async eachPlatform<T>(
    work: (platform: PlatformServices, id: PlatformId) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const results: T[] = [];
    for (const id of this.config.platforms) {
      if (signal?.aborted) throw new ShutdownError();
      results.push(await work(this.platform(id), id));
    }
    return results;
  }

  /**
   * Stops ingesting: files in progress may finish for `graceMs`, then are abandoned safely (they
   * resume on the next start). What people read is written last.
   */
  async drain(graceMs: number): Promise<void> {
    await this.services.ingest.stop(graceMs);
    await this.services.inventory.writeNow();
  }

  /** Review statuses and the library changed: the library export and the inventory show them. */
  private async afterLibraryChange(): Promise<void> {
    // Asked for by name (sync-status, refresh-library): the export is there when the job is done.
    await this.services.tracking.writeLibraryExport();
    this.services.inventory.scheduleWrite();
  }
}

import type { ArchiveService } from '../archive/archive.service.js';
import { missingCampaignSettings } from '../config/campaign-template.js';
import type { Config } from '../config/config.js';
import { describeError } from '../core/errors.js';
import type { ActivityBus } from '../core/events.js';
import type { PruneResult, RetentionService } from '../housekeeping/retention.service.js';
import { localDate } from '../core/dates.js';
import type { Logger } from '../core/logger.js';
import type { ArchivedBatch, UploadSummary } from '../core/outcomes.js';
import type { IngestService } from '../ingest/ingest.service.js';
import { findUnknownInboxFiles } from '../intake/reconcile.js';
import { watchInbox } from '../intake/watch.js';
import type { PlatformConnection } from '../platform/connection.js';
import type { SessionStatusFile } from '../platform/session-status.js';
import { CredentialsRefusedError, LoginRequiredError } from '../platform/uploader.js';
import type { ReportService } from '../report/report.service.js';
import { statusReport, type StatusReport } from '../report/status-report.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { RunStateRepository } from '../store/run-state.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import type { InventoryService } from '../tracking/inventory.service.js';
import type { TrackingService } from '../tracking/tracking.service.js';
import type { LibrarySyncService, RefreshResult, ReviewChange } from '../upload/library-sync.service.js';
import type { UploadService } from '../upload/upload.service.js';
import { CampaignJobs, type CampaignServices } from './campaign-jobs.js';

/** The services the jobs are made of, and what the jobs use of each; `openApp` builds them once. */
export interface Services {
  readonly storage: StorageRepository;
  readonly creatives: CreativeRepository;
  readonly runState: Pick<RunStateRepository, 'dryRunPlanChanged'>;
  readonly ingest: Pick<IngestService, 'observe' | 'submit' | 'resumeUnfinished' | 'retryFailed' | 'settled' | 'stop' | 'counts' | 'paused'>;
  readonly uploads: Pick<UploadService, 'hasWork' | 'plan' | 'run' | 'retryFailed'>;
  readonly connection: Pick<PlatformConnection, 'waitingFor' | 'use' | 'pauseForLogin' | 'keepAlive' | 'close'>;
  readonly archive: Pick<ArchiveService, 'run' | 'openBatches' | 'completed' | 'csvsWritten'>;
  readonly tracking: Pick<TrackingService, 'writeUploadStatus' | 'writeLibraryExport' | 'writeCampaignCsvs'>;
  readonly inventory: Pick<InventoryService, 'scheduleWrite' | 'writeNow' | 'flush'>;
  readonly reports: Pick<ReportService, 'write' | 'thumbnail'>;
  readonly librarySync: Pick<LibrarySyncService, 'syncStatuses' | 'refreshLibrary'>;
  /** Why work on TJ waits for a person, as recorded. */
  readonly sessionStatus: Pick<SessionStatusFile, 'read'>;
  /** Creating ads in campaigns: the command's and the daemon's hands-off work. */
  readonly campaigns: Omit<CampaignServices, 'storage' | 'connection' | 'inventory'>;
  readonly retention: Pick<RetentionService, 'prune'>;
  /** Where jobs announce what they did (the daily report written). */
  readonly events: Pick<ActivityBus, 'emit'>;
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
  /** Why uploads wait for a person (a login, credentials TJ refused), in plain words. */
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
  /** `campaigns create`, and the ads the daemon creates on its own after a batch. */
  readonly campaigns: CampaignJobs;
  private uploadTurn: Promise<unknown> = Promise.resolve();
  /** Upload passes that failed one after the other (a login wait is not a failure): the notice says so from the third. */
  private failedPassesInARow = 0;

  constructor(
    private readonly services: Services,
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.campaigns = new CampaignJobs({ ...services.campaigns, storage: services.storage, connection: services.connection, inventory: services.inventory }, config, log);
  }

  /** Watches `inbox/`: each file the watcher reports is taken once it stops changing. */
  async watchInbox(): Promise<Closable> {
    return watchInbox(this.config.layout, (file) => this.services.ingest.observe(file), this.log);
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
    if (unknown.length > 0 || resumed > 0) this.log.info({ unknown: unknown.length, resumed }, 'Reconciled inbox/ with the database');
    return unknown.length + resumed;
  }

  /** Ingests everything in `inbox/` and every unfinished record (failed ones too, when asked), and returns once nothing is in flight. */
  async ingestAll(options: { retryFailed: boolean }): Promise<void> {
    const { ingest } = this.services;
    if (options.retryFailed) await ingest.retryFailed();
    // Settle after every pass, the first included: work may already be under way. Stop after a
    // pass that found nothing new.
    for (let more = true; more; ) {
      more = (await this.reconcile()) > 0;
      await ingest.settled();
    }
  }

  /**
   * One upload pass: what is staged goes to the platform (a dry run reports its plan once per
   * change instead), then uploaded creatives are archived and the tracking files written. Passes
   * asked for at once (the schedule, the dashboard, a command) run one after the other.
   */
  uploadPass(options: UploadPassOptions = {}): Promise<UploadPassResult> {
    const pass = this.uploadTurn.then(() => this.runUploadPass(options));
    this.uploadTurn = pass.catch(() => undefined);
    return pass;
  }

  private async runUploadPass(options: UploadPassOptions): Promise<UploadPassResult> {
    const { uploads, connection, runState, tracking } = this.services;
    if (options.retryFailed) await uploads.retryFailed();
    let summary: UploadSummary | undefined;
    let waitingFor: string | undefined;
    let failure: unknown;
    if (this.config.dryRun) {
      const outcomes = await uploads.plan();
      // Reported once per plan, not every pass, and not again by the next `process --once`.
      if (outcomes.length > 0 && (await runState.dryRunPlanChanged(outcomes.map((outcome) => outcome.path)))) {
        this.log.info({ files: outcomes.length }, 'Dry run: these staged files would be uploaded (use --live or DRY_RUN=false)');
        summary = { dryRun: true, outcomes, uploaded: 0, duplicates: 0, rejected: 0, pending: outcomes.length, loginRequired: false };
      }
    } else if (uploads.hasWork()) {
      // No browser is started, or kept busy, for a pass with nothing to send.
      waitingFor = await connection.waitingFor();
      if (!waitingFor) {
        summary = await connection.use((uploader) => uploads.run(uploader, options)).catch(async (error: unknown) => {
          // TJ refused the password, or asks for a person before the first page (a captcha at the
          // first sign-in): recorded by the connection, said once; the files wait.
          if (error instanceof CredentialsRefusedError || error instanceof LoginRequiredError) return undefined;
          // Anything else (a browser that died, a page that never loaded): the rest of the pass still runs, then it fails.
          failure = error;
          return undefined;
        });
        if (summary?.loginRequired) await connection.pauseForLogin(summary.loginMessage ?? 'TJ asks for a person to sign in');
        waitingFor = await connection.waitingFor();
      }
      if (summary) {
        const { outcomes: _outcomes, ...counts } = summary;
        if (summary.uploaded + summary.duplicates + summary.rejected > 0 || summary.pending > 0) this.log.info(counts, 'Upload pass done');
      }
    }
    // Archived first, so each row of the status file carries its archive batch.
    const archived = await this.archive();
    if (summary && summary.outcomes.length > 0) await tracking.writeUploadStatus(summary.outcomes);
    if (summary && !summary.dryRun) await tracking.writeLibraryExport();
    await this.campaigns.handsOffPass(options.signal);
    if (failure !== undefined) {
      this.failedPassesInARow += 1;
      this.services.events.emit('passFailed', this.failedPassesInARow, describeError(failure));
      throw failure;
    }
    this.failedPassesInARow = 0;
    return { summary, archived, waitingFor };
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

  /** Updates review statuses from the platform; returns the creatives whose status changed. */
  async syncStatuses(): Promise<ReviewChange[]> {
    const changes = await this.services.connection.use((uploader) => this.services.librarySync.syncStatuses(uploader));
    await this.afterLibraryChange();
    return changes;
  }

  /** Rebuilds the library cache from every tab and page of the platform; says what is new and what is gone. */
  async refreshLibrary(): Promise<RefreshResult> {
    const result = await this.services.connection.use((uploader) => this.services.librarySync.refreshLibrary(uploader));
    await this.afterLibraryChange();
    return result;
  }

  /** Writes the daily report of `date` (default today) as Markdown, JSON and HTML; returns the files. */
  async dailyReport(date = localDate()): Promise<readonly string[]> {
    const { report, files } = await this.services.reports.write(date);
    this.services.events.emit('report', { date, counts: report.counts, files });
    return files;
  }

  /** Stages again the files that failed for good, in the ingest and in uploads; the next passes take them. */
  async retryFailed(): Promise<{ ingest: number; uploads: number }> {
    return { ingest: await this.services.ingest.retryFailed(), uploads: await this.services.uploads.retryFailed() };
  }

  /** Prunes screenshots, temporary files and reports older than the retention, and hands-off campaigns done before it. */
  async housekeeping(): Promise<PruneResult & { campaignsForgotten: number }> {
    const before = Date.now() - this.config.retentionDays * 86_400_000;
    return { ...(await this.services.retention.prune()), campaignsForgotten: await this.services.campaigns.handsOff.forgetDone(before) };
  }

  /** Counts per state, files in progress, and the last errors. */
  async status(): Promise<StatusReport> {
    return statusReport(this.services.creatives, await this.services.sessionStatus.read());
  }

  /** Keeps an idle platform session alive. */
  async keepAlive(): Promise<void> {
    await this.services.connection.keepAlive();
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
    await this.services.tracking.writeLibraryExport();
    this.services.inventory.scheduleWrite();
  }
}

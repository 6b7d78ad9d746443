import type {
  CampaignAdsService,
  CampaignEvent,
  CampaignResult,
  CampaignRunSummary,
  CreateAds,
} from '../campaigns/campaign-ads.service.js';
import { MappingError, readMapping } from '../campaigns/campaign-mapping.js';
import type { HandsOffService } from '../campaigns/hands-off.service.js';
import { renderResultsCsv } from '../campaigns/results-csv.js';
import { RunCheckpoint } from '../campaigns/run-checkpoint.js';
import type { Config } from '../config/config.js';
import { localStamp } from '../core/dates.js';
import type { Logger } from '../core/logger.js';
import type { ArchivedBatch } from '../core/outcomes.js';
import type { PlatformId } from '../core/platform.js';
import type { PlatformConnection } from '../platform/connection.js';
import { forExoClick } from '../campaigns/exo-ids.js';
import type { CampaignJob } from '../campaigns/campaign-job.js';
import type { CheckpointRepository } from '../store/checkpoint.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import type { InventoryService } from '../tracking/inventory.service.js';

/** What campaign work is made of; `openApp` builds it. */
export interface CampaignServices {
  readonly storage: StorageRepository;
  readonly checkpoints: CheckpointRepository;
  readonly campaignAds: Pick<CampaignAdsService, 'run'>;
  readonly handsOff: Pick<HandsOffService, 'queueBatch' | 'hasWork' | 'run' | 'forgetDone'>;
  /** Each platform's session: TJ's browser, ExoClick's API. */
  readonly connections: Readonly<Record<PlatformId, Pick<PlatformConnection, 'use' | 'waitingFor'>>>;
  /** TJ creative id → the ExoClick id of the same output (undefined when ExoClick does not have it). */
  readonly exoIdsByTjId: () => Promise<ReadonlyMap<string, string | undefined>>;
  readonly inventory: Pick<InventoryService, 'scheduleWrite' | 'writeNow'>;
}

export interface CreateCampaignAdsOptions {
  /** Another mapping than `tracking/campaign_mapping.csv`. */
  readonly mapping?: string | undefined;
  /** Only these campaign ids of the mapping. */
  readonly only?: readonly string[] | undefined;
  /** Start over: earlier runs' checkpoints are not carried on. */
  readonly fresh: boolean;
  /** Run the campaigns that failed in earlier runs too. */
  readonly retryFailed: boolean;
  /** Run the valid rows of a mapping that has bad ones, instead of refusing it. */
  readonly skipInvalid: boolean;
  /** Instead of the mapping: the ads the daemon queued from `tracking/campaign_targets.csv`, the failed ones included. */
  readonly queued: boolean;
  readonly onEvent?: (event: CampaignEvent) => void;
  /** The daemon stopping: the campaign under way finishes, no other starts. */
  readonly signal?: AbortSignal;
}

export interface CreateCampaignAdsResult extends CampaignRunSummary {
  readonly dryRun: boolean;
  /** The mapping's bad rows, with their lines, run past with `--skip-invalid`. */
  readonly skippedRows: readonly string[];
  /** Rows switched off in the mapping. */
  readonly disabled: number;
  /** `tracking/campaigns/results_*.csv`; none for a dry run. */
  readonly resultsFile: string | undefined;
}

/**
 * Creating ads in campaigns: `campaigns create` from the mapping, and the daemon's hands-off work
 * from `tracking/campaign_targets.csv`. Both run one campaign at a time through the one owner of
 * the browser, so uploads and campaigns take turns.
 */
export class CampaignJobs {
  constructor(
    private readonly services: CampaignServices,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** A platform's session: config checks the mapping's platforms against the registry, and the app opens one for each. */
  private connection(id: PlatformId): Pick<PlatformConnection, 'use' | 'waitingFor'> {
    const connection = this.services.connections[id];
    if (!connection) throw new Error(`No session was opened for the platform "${id}"`);
    return connection;
  }

  /** `campaigns create`: every bad row of the mapping is listed before anything is sent. */
  async create(options: CreateCampaignAdsOptions): Promise<CreateCampaignAdsResult> {
    const { checkpoints } = this.services;
    const dryRun = this.config.dryRun;
    if (options.queued) {
      const summary = await this.services.handsOff.run(this.createAds(), {
        dryRun,
        ignoreLimit: true,
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { ...summary, dryRun, skippedRows: [], disabled: 0, resultsFile: await this.afterRun(summary, dryRun) };
    }
    const file = options.mapping ?? this.config.layout.campaignMappingCsv;
    const read = await readMapping(
      file,
      this.config.layout,
      this.services.storage,
      options.only ? new Set(options.only) : undefined,
    );
    const mapping = await this.withExoIds(read);
    if (mapping.problems.length > 0 && !options.skipInvalid)
      throw new MappingError(this.config.layout.rel(file), mapping.problems);
    for (const problem of mapping.problems) this.log.warn({ mapping: file }, `Skipped: ${problem}`);
    // A dry run reads the checkpoints and writes none: the live run after it finds them as they were.
    const checkpoint = await RunCheckpoint.begin(checkpoints, options.fresh);
    const summary = await this.services.campaignAds.run(mapping.jobs, checkpoint, this.createAds(), {
      dryRun,
      retryFailed: options.retryFailed,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      ...summary,
      dryRun,
      skippedRows: mapping.problems,
      disabled: mapping.disabled,
      resultsFile: await this.afterRun(summary, dryRun),
    };
  }

  /** Queues a batch's ads for the campaigns `tracking/campaign_targets.csv` names (live runs only). */
  async queueBatch(batch: ArchivedBatch, files: readonly string[]): Promise<void> {
    if (!this.config.dryRun) await this.services.handsOff.queueBatch(batch, files);
  }

  /** Forgets hands-off campaigns done before `before` (housekeeping); how many. */
  forgetDone(before: number): Promise<number> {
    return this.services.handsOff.forgetDone(before);
  }

  /** Creates the queued hands-off ads, and retries failed ones under the limit; starts no browser when none wait. */
  async handsOffPass(signal?: AbortSignal): Promise<CampaignRunSummary | undefined> {
    if (this.config.dryRun || !(await this.services.handsOff.hasWork())) return undefined;
    const waiting = await this.connection('tj').waitingFor();
    if (waiting) return undefined;
    const summary = await this.services.handsOff.run(this.createAds(), {
      dryRun: false,
      ignoreLimit: false,
      ...(signal ? { signal } : {}),
    });
    await this.afterRun(summary, false);
    const counts = countResults(summary);
    this.log.info({ ...counts, checkpoint: summary.checkpoint }, 'Hands-off campaign pass done');
    return summary;
  }

  /** One campaign at a time through its platform's session owner: uploads may run between two campaigns. */
  private createAds(): CreateAds {
    return (campaignId, ads, platform) =>
      this.connection(platform).use((uploader) => uploader.createAds(campaignId, ads));
  }

  /** ExoClick rows with their TJ ids replaced by ExoClick's; the index is built only when a row needs it. */
  private async withExoIds<T extends { jobs: readonly CampaignJob[]; problems: readonly string[] }>(
    mapping: T,
  ): Promise<T> {
    if (!mapping.jobs.some((job) => job.platform === 'exoclick')) return mapping;
    const ids = await this.services.exoIdsByTjId();
    const jobs: CampaignJob[] = [];
    const problems = [...mapping.problems];
    for (const job of mapping.jobs) {
      if (job.platform !== 'exoclick') {
        jobs.push(job);
        continue;
      }
      const translated = forExoClick(job, ids);
      if ('job' in translated) jobs.push(translated.job);
      else
        problems.push(
          ...translated.problems.map((problem) => `ExoClick campaign ${job.campaignId}, ${job.source}: ${problem}`),
        );
    }
    return { ...mapping, jobs, problems };
  }

  /** The results file and the inventory's campaign ids, after a live run that did something. */
  private async afterRun(summary: CampaignRunSummary, dryRun: boolean): Promise<string | undefined> {
    if (dryRun || !summary.results.some(ran)) return undefined;
    const file = await this.services.storage.writeNewFile(
      this.config.layout.campaignResultsFile(localStamp()),
      renderResultsCsv(summary.results),
    );
    this.services.inventory.scheduleWrite();
    return file;
  }
}

/** Whether a campaign was started in the run (and so is in its checkpoint and results). */
export function ran(result: CampaignResult): boolean {
  return result.result === 'succeeded' || result.result === 'failed' || result.result === 'waiting';
}

/** How many campaigns came to each result. */
export function countResults(summary: CampaignRunSummary): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { result } of summary.results) counts[result] = (counts[result] ?? 0) + 1;
  return counts;
}

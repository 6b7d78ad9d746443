import path from 'node:path';
import type { CampaignProgress, StuckCampaign } from '../core/campaigns.js';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { ArchivedBatch } from '../core/outcomes.js';
import type { CreativeRecord } from '../core/record.js';
import { creativeIdsOf, parseCampaignCsv, renderCampaignRows, type AdRow } from '../core/campaign-format.js';
import type { CheckpointRepository } from '../store/checkpoint.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { campaignJob, jobFromCsv, type CampaignJob } from './campaign-job.js';
import type { CampaignAdsService, CampaignEvent, CampaignRunSummary, CreateAds } from './campaign-ads.service.js';
import { campaignsFor, type CampaignTargetsFile } from './campaign-targets.js';
import { RunCheckpoint } from './run-checkpoint.js';
import { Serial } from '../core/serial.js';

/** The daemon's checkpoint: one, living on from pass to pass. */
export const HANDS_OFF_CHECKPOINT = 'hands-off';

export interface HandsOffRunOptions {
  /** Says what would run; writes nothing. */
  readonly dryRun: boolean;
  /** Retry failed campaigns past the limit (a person asked). */
  readonly ignoreLimit: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: CampaignEvent) => void;
}

export interface HandsOffOptions {
  /** Runs a campaign may fail before it waits for a person (`campaigns create --retry-failed`). */
  readonly maxAttempts: number;
}

/** What the hands-off campaign work is made from. */
export interface HandsOffDeps {
  readonly layout: Layout;
  readonly storage: StorageRepository;
  readonly targets: CampaignTargetsFile;
  readonly checkpoints: CheckpointRepository;
  readonly campaigns: CampaignAdsService;
  readonly log: Logger;
  readonly options: HandsOffOptions;
}

/**
 * From a drop to live ads: when an archive batch's campaign CSVs are written, the rows of the
 * creatives a rule of `tracking/campaign_targets.csv` names are queued for its campaigns (with their
 * rows, so a restart has them), and each upload pass creates them through the same service,
 * checkpoint format and browser owner as `campaigns create`. Off while no rule names a campaign.
 */
export class HandsOffService {
  /**
   * The checkpoint has one writer at a time: each use reads it, changes it and writes it back
   * whole, so two at once (a pass queuing a batch while `campaigns create --queued` runs, or
   * housekeeping) would lose the other's changes.
   */
  private readonly turns = new Serial();

  constructor(private readonly deps: HandsOffDeps) {}

  /** Queues the ads of a batch's written (ready) CSVs for the campaigns the rules name; returns how many jobs. */
  async queueBatch(batch: ArchivedBatch, files: readonly string[]): Promise<number> {
    return this.exclusive(() => this.queueBatchNow(batch, files));
  }

  private async queueBatchNow(batch: ArchivedBatch, files: readonly string[]): Promise<number> {
    const targets = await this.deps.targets.current();
    if (targets.length === 0) return 0;
    const byCreativeId = new Map<string, CreativeRecord>();
    for (const record of batch.records)
      for (const output of record.outputs ?? [])
        if (output.uploads?.tj?.creativeId) byCreativeId.set(output.uploads.tj.creativeId, record);
    const jobs: CampaignJob[] = [];
    for (const file of files) {
      const csv = parseCampaignCsv((await this.deps.storage.readText(file)) ?? '');
      const { kind } = csv;
      if (kind === undefined || csv.problems.length > 0) continue;
      const rowsByCampaign = new Map<string, AdRow[]>();
      for (const row of csv.rows) {
        const record = creativeIdsOf(row, kind)
          .map((id) => byCreativeId.get(id))
          .find(Boolean);
        for (const campaignId of record ? campaignsFor(record, kind, targets) : [])
          rowsByCampaign.set(campaignId, [...(rowsByCampaign.get(campaignId) ?? []), row]);
      }
      const source = path.relative(this.deps.layout.root, file);
      for (const [campaignId, rows] of rowsByCampaign)
        jobs.push(campaignJob(campaignId, `campaign ${campaignId}`, source, { ...csv, kind, rows }));
    }
    if (jobs.length === 0) return 0;
    const checkpoint = await RunCheckpoint.continuing(this.deps.checkpoints, HANDS_OFF_CHECKPOINT);
    await checkpoint.enqueue(jobs.map((job) => ({ job, csv: renderCampaignRows(job.ads.header, job.ads.rows) })));
    this.deps.log.info(
      { batch: batch.batch, campaigns: [...new Set(jobs.map((job) => job.campaignId))] },
      "Queued the batch's ads for their campaigns (tracking/campaign_targets.csv)",
    );
    return jobs.length;
  }

  /** Whether a queued or failed (under the limit) campaign waits: asked every upload pass, so read from the entries alone. */
  async hasWork(): Promise<boolean> {
    // A read alone: it takes no turn, and a write under way leaves the file whole (atomic).
    const checkpoint = await RunCheckpoint.continuing(this.deps.checkpoints, HANDS_OFF_CHECKPOINT);
    return checkpoint.due({ retryFailed: true, maxAttempts: this.deps.options.maxAttempts }).length > 0;
  }

  /** Creates the queued ads, and retries the failed ones: up to the limit, or, asked by a person, past it. */
  async run(createAds: CreateAds, options: HandsOffRunOptions): Promise<CampaignRunSummary> {
    return this.exclusive(() => this.runNow(createAds, options));
  }

  private async runNow(createAds: CreateAds, options: HandsOffRunOptions): Promise<CampaignRunSummary> {
    const checkpoint = await RunCheckpoint.continuing(this.deps.checkpoints, HANDS_OFF_CHECKPOINT);
    const decide = {
      retryFailed: true,
      ...(options.ignoreLimit ? {} : { maxAttempts: this.deps.options.maxAttempts }),
    };
    const jobs = checkpoint.due(decide).flatMap(([, entry]) => jobOf(entry));
    return this.deps.campaigns.run(jobs, checkpoint, createAds, {
      ...decide,
      dryRun: options.dryRun,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  }

  /** Campaigns that failed as often as they may: the report asks a person to look. */
  async stuck(): Promise<StuckCampaign[]> {
    const checkpoint = await RunCheckpoint.continuing(this.deps.checkpoints, HANDS_OFF_CHECKPOINT);
    return checkpoint
      .entries()
      .filter(([, entry]) => entry.status === 'failed' && entry.attempts >= this.deps.options.maxAttempts)
      .map(([, entry]) => ({
        campaignId: entry.campaignId,
        source: entry.source,
        attempts: entry.attempts,
        error: entry.error ?? 'no reason recorded',
      }));
  }

  /** Forgets campaigns that succeeded before `before` (ms): the queue does not grow with the months. */
  async forgetDone(before: number): Promise<number> {
    return this.exclusive(async () => {
      const checkpoint = await RunCheckpoint.continuing(this.deps.checkpoints, HANDS_OFF_CHECKPOINT);
      return checkpoint.forget(
        (entry) => entry.status === 'succeeded' && Date.parse(entry.finishedAt ?? entry.updatedAt) < before,
      );
    });
  }

  /** Runs `work` once every use of the checkpoint before it is done, failed or not. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.turns.run(work);
  }
}

/** A queued entry's job, from the rows it keeps until it succeeds. */
function jobOf(entry: CampaignProgress): CampaignJob[] {
  if (entry.csv === undefined) return [];
  const parsed = jobFromCsv(
    entry.campaignId,
    entry.campaignName ?? `campaign ${entry.campaignId}`,
    entry.source,
    entry.csv,
  );
  return 'job' in parsed ? [parsed.job] : [];
}

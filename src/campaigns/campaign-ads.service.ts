import type { CampaignAdRecord, CampaignProgress } from '../core/campaigns.js';
import { describeError, ShutdownError, StorageFaultError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AdsRequest, CreateAdsOutcome, PlatformId } from '../core/platform.js';
import { PlatformWaitsError } from '../platform/connection.js';
import { creativeIdsOf } from '../core/campaign-format.js';
import { CredentialsRefusedError, LoginRequiredError } from '../platform/uploader.js';
import type { CampaignAdsRepository } from '../store/campaign-ads.repository.js';
import type { CampaignJob } from './campaign-job.js';
import type { DecideOptions, RunCheckpoint } from './run-checkpoint.js';

/** Creates one campaign's ads on its platform, waiting its turn for the platform's session. */
export type CreateAds = (campaignId: string, ads: AdsRequest, platform: PlatformId) => Promise<CreateAdsOutcome>;

/** What became of one job in a run (or, in a dry run, what would). */
export interface CampaignResult {
  readonly job: CampaignJob;
  readonly result: 'succeeded' | 'failed' | 'skipped' | 'would-run' | 'waiting';
  /** Why it was skipped, failed or waits, in plain words. */
  readonly reason?: string;
  /** Its checkpoint entry after the run (for a skipped job, as an earlier run left it). */
  readonly progress?: CampaignProgress;
}

/** Progress, as each campaign starts and ends. */
export type CampaignEvent =
  { readonly type: 'start'; readonly total: number } | { readonly type: 'campaign'; readonly result: CampaignResult };

export interface CampaignRunOptions extends DecideOptions {
  /** Only says what a live run would do; nothing is sent and no checkpoint is written. */
  readonly dryRun: boolean;
  /** Aborted on shutdown: the campaign under way ends, no other starts. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: CampaignEvent) => void;
}

export interface CampaignRunSummary {
  readonly checkpoint: string;
  readonly results: readonly CampaignResult[];
  /** Why the run stopped before the end: a login awaited, a shutdown, a full disk. */
  readonly stopped?: string;
}

/**
 * Creates campaigns' ads from CSVs, one campaign at a time, keeping a checkpoint: each campaign is
 * marked started before anything is sent and recorded when it ends. A campaign that fails does
 * not stop the others; a reason not the campaign's (a login awaited, a shutdown) stops the run,
 * and the campaign resumes next time. The command and the daemon's hands-off work both run here.
 */
export class CampaignAdsService {
  constructor(
    private readonly ads: Pick<CampaignAdsRepository, 'record'>,
    private readonly log: Logger,
  ) {}

  async run(
    jobs: readonly CampaignJob[],
    checkpoint: RunCheckpoint,
    createAds: CreateAds,
    options: CampaignRunOptions,
  ): Promise<CampaignRunSummary> {
    const results: CampaignResult[] = [];
    let stopped: string | undefined;
    const report = (result: CampaignResult): void => {
      results.push(result);
      options.onEvent?.({ type: 'campaign', result });
    };
    options.onEvent?.({ type: 'start', total: jobs.length });
    for (const job of jobs) {
      const decision = checkpoint.decide(job, options);
      if (!decision.run) {
        report({ job, result: 'skipped', reason: decision.reason, progress: checkpoint.get(job.key) });
        continue;
      }
      if (options.dryRun) {
        report({
          job,
          result: 'would-run',
          reason: decision.resumed
            ? 'resumes a run cut short (its table is read first)'
            : `${job.ads.rows.length} ads to create`,
        });
        continue;
      }
      if (stopped !== undefined || options.signal?.aborted) {
        stopped ??= 'stopped for shutdown';
        report({ job, result: 'waiting', reason: stopped });
        continue;
      }
      await checkpoint.started(job);
      try {
        const outcome = await createAds(job.campaignId, job.ads, job.platform);
        // Recorded before the checkpoint says done: a crash between the two reads the table again, and records nothing twice.
        await this.ads.record(adRecords(job, outcome));
        const progress = await checkpoint.finished(job, outcome);
        report({
          job,
          result: progress.status === 'succeeded' ? 'succeeded' : 'failed',
          ...(progress.error ? { reason: progress.error } : {}),
          progress,
        });
      } catch (error) {
        if (stopsTheRun(error)) {
          stopped = describeError(error);
          report({ job, result: 'waiting', reason: stopped, progress: await checkpoint.held(job, stopped) });
          continue;
        }
        const progress = await checkpoint.failed(job, describeError(error));
        this.log.error(
          { err: error, campaign: job.campaignId, csv: job.source },
          `Campaign ${job.campaignId} failed: ${describeError(error)}`,
        );
        report({ job, result: 'failed', reason: progress.error ?? describeError(error), progress });
      }
    }
    return { checkpoint: checkpoint.name, results, ...(stopped === undefined ? {} : { stopped }) };
  }
}

/** Reasons that are not the campaign's: the run stops, and the campaign resumes on the next. */
function stopsTheRun(error: unknown): boolean {
  return (
    error instanceof LoginRequiredError ||
    error instanceof CredentialsRefusedError ||
    error instanceof PlatformWaitsError ||
    error instanceof ShutdownError ||
    error instanceof StorageFaultError
  );
}

/** The ads created and refused, for the inventory and the daily report. */
function adRecords(job: CampaignJob, outcome: CreateAdsOutcome): CampaignAdRecord[] {
  const at = new Date().toISOString();
  const byName = new Map(job.ads.rows.map((row) => [row['Ad Name'] ?? '', creativeIdsOf(row, job.ads.kind)]));
  const base = { campaignId: job.campaignId, campaignName: outcome.campaignName, at };
  return [
    ...[...outcome.created, ...outcome.alreadyThere].map((adName): CampaignAdRecord => ({
      ...base,
      adName,
      creativeIds: byName.get(adName) ?? [],
      status: 'created',
    })),
    ...outcome.refused.map((problem): CampaignAdRecord => ({
      ...base,
      adName: problem.adName,
      creativeIds: byName.get(problem.adName) ?? [],
      status: 'refused',
      reason: problem.reason,
    })),
  ];
}

import type { CampaignProgress, Checkpoint } from '../core/campaigns.js';
import { localStamp } from '../core/dates.js';
import type { AdProblem, CreateAdsOutcome } from '../core/platform.js';
import type { CheckpointRepository } from '../store/checkpoint.repository.js';
import type { CampaignJob } from './campaign-job.js';

/** Whether a job runs, and if not, why. */
export type Decision =
  { readonly run: true; readonly resumed: boolean } | { readonly run: false; readonly reason: string };

export interface DecideOptions {
  /** Run the campaigns that failed before too. */
  readonly retryFailed: boolean;
  /** Stop retrying a failed campaign after this many runs started it. */
  readonly maxAttempts?: number;
}

/**
 * A run's checkpoint: what each campaign came to, kept in memory and written whole, atomically,
 * whenever a campaign starts or ends. Nothing is written until a campaign starts, so a dry run,
 * which starts none, leaves every checkpoint as it was.
 */
export class RunCheckpoint {
  private constructor(
    private readonly repository: CheckpointRepository,
    private data: Checkpoint,
  ) {}

  /** A new `campaigns create` run; it carries on from the latest run unless `fresh`. */
  static async begin(repository: CheckpointRepository, fresh: boolean, now = new Date()): Promise<RunCheckpoint> {
    const runs = await repository.runs();
    const latest = fresh ? undefined : runs.at(-1);
    const previous = latest === undefined ? undefined : await repository.read(latest);
    let name = `run_${localStamp(now)}`;
    for (let n = 2; runs.includes(name); n += 1) name = `run_${localStamp(now)}_${n}`;
    return new RunCheckpoint(repository, {
      version: 1,
      name,
      createdAt: now.toISOString(),
      ...(latest ? { resumedFrom: latest } : {}),
      campaigns: previous?.campaigns ?? {},
    });
  }

  /** A checkpoint that lives on from run to run under one name (the daemon's hands-off work). */
  static async continuing(repository: CheckpointRepository, name: string): Promise<RunCheckpoint> {
    return new RunCheckpoint(
      repository,
      (await repository.read(name)) ?? { version: 1, name, createdAt: new Date().toISOString(), campaigns: {} },
    );
  }

  get name(): string {
    return this.data.name;
  }

  get resumedFrom(): string | undefined {
    return this.data.resumedFrom;
  }

  get(key: string): CampaignProgress | undefined {
    return this.data.campaigns[key];
  }

  /** Every entry, by key. */
  entries(): [string, CampaignProgress][] {
    return Object.entries(this.data.campaigns);
  }

  /**
   * A campaign that succeeded with this content is skipped; one that failed runs again when
   * asked (and while under `maxAttempts`); one started or queued and never finished resumes.
   */
  decide(job: CampaignJob, options: DecideOptions): Decision {
    const entry = this.data.campaigns[job.key];
    if (!entry || entry.contentHash !== job.contentHash) return { run: true, resumed: false };
    return decideOn(entry, options);
  }

  /** The entries that would run now (with their content unchanged), by key. */
  due(options: DecideOptions): [string, CampaignProgress][] {
    return this.entries().filter(([, entry]) => decideOn(entry, options).run);
  }

  /** Forgets the entries `done` says are done with, in one write; returns how many. */
  async forget(done: (entry: CampaignProgress) => boolean): Promise<number> {
    const kept = this.entries().filter(([, entry]) => !done(entry));
    const forgotten = this.entries().length - kept.length;
    if (forgotten > 0) {
      this.data = { ...this.data, campaigns: Object.fromEntries(kept) };
      await this.save();
    }
    return forgotten;
  }

  /** Queues jobs to run later, with their rows, unless they are there with this content. Written once, whatever the number. */
  async enqueue(queued: readonly { readonly job: CampaignJob; readonly csv: string }[]): Promise<void> {
    const fresh = queued.filter(({ job }) => this.data.campaigns[job.key]?.contentHash !== job.contentHash);
    for (const { job, csv } of fresh) this.set(job, { status: 'pending', attempts: 0, csv });
    if (fresh.length > 0) await this.save();
  }

  /** On disk before anything is sent: a run cut short resumes this campaign. */
  async started(job: CampaignJob): Promise<CampaignProgress> {
    const entry = this.carried(job);
    return this.put(job, {
      status: 'in_progress',
      attempts: entry.attempts + 1,
      startedAt: new Date().toISOString(),
      error: undefined,
    });
  }

  /** What the platform did: succeeded when every ad exists or was refused, failed when some are missing. A queued job's rows go once it succeeded. */
  async finished(job: CampaignJob, outcome: CreateAdsOutcome): Promise<CampaignProgress> {
    const entry = this.carried(job);
    const missing = outcome.missing;
    const created = unique([...entry.created, ...outcome.created]);
    return this.put(job, {
      status: missing.length === 0 ? 'succeeded' : 'failed',
      ...(missing.length === 0 ? { csv: undefined } : {}),
      campaignName: outcome.campaignName,
      created,
      alreadyThere: unique([...entry.alreadyThere, ...outcome.alreadyThere]).filter((name) => !created.includes(name)),
      refused: outcome.refused,
      invalidIds: outcome.invalidIds,
      missing,
      error:
        missing.length === 0
          ? undefined
          : `${missing.length} ad${missing.length === 1 ? ' was' : 's were'} not created: ${missing[0]?.reason ?? ''}`,
      finishedAt: new Date().toISOString(),
    });
  }

  /** The campaign failed as a whole (a page that did not load, a CSV TJ refused). */
  async failed(job: CampaignJob, error: string): Promise<CampaignProgress> {
    return this.put(job, { status: 'failed', error, finishedAt: new Date().toISOString() });
  }

  /** Work stopped for a reason not the campaign's (a login awaited, a shutdown): it resumes next time, its attempt not counted. */
  async held(job: CampaignJob, why: string): Promise<CampaignProgress> {
    const entry = this.carried(job);
    return this.put(job, { status: 'pending', attempts: Math.max(0, entry.attempts - 1), error: why });
  }

  private carried(job: CampaignJob): CampaignProgress {
    const entry = this.data.campaigns[job.key];
    return entry && entry.contentHash === job.contentHash ? entry : blank(job);
  }

  private async put(job: CampaignJob, change: Change): Promise<CampaignProgress> {
    const entry = this.set(job, change);
    await this.save();
    return entry;
  }

  private set(job: CampaignJob, change: Change): CampaignProgress {
    const entry: CampaignProgress = withoutUndefined({
      ...this.carried(job),
      ...change,
      updatedAt: new Date().toISOString(),
    });
    this.data = { ...this.data, campaigns: { ...this.data.campaigns, [job.key]: entry } };
    return entry;
  }

  private async save(): Promise<void> {
    await this.repository.write(this.data);
  }
}

/** For an entry whose content is the job's: succeeded is skipped, failed runs when asked (under the limit), the rest resumes. */
function decideOn(entry: CampaignProgress, options: DecideOptions): Decision {
  if (entry.status === 'succeeded')
    return { run: false, reason: `done on ${entry.finishedAt?.slice(0, 10) ?? 'an earlier run'} with the same CSV` };
  if (entry.status === 'failed') {
    if (!options.retryFailed)
      return {
        run: false,
        reason: `failed before (${entry.error ?? 'see the checkpoint'}); --retry-failed tries it again`,
      };
    if (options.maxAttempts !== undefined && entry.attempts >= options.maxAttempts)
      return { run: false, reason: `failed ${entry.attempts} times, the limit (${entry.error ?? ''})` };
  }
  return { run: true, resumed: entry.status === 'in_progress' };
}

type Change = Partial<Omit<CampaignProgress, 'campaignId' | 'source' | 'contentHash'>>;

function blank(job: CampaignJob): CampaignProgress {
  return {
    campaignId: job.campaignId,
    source: job.source,
    contentHash: job.contentHash,
    status: 'pending',
    attempts: 0,
    created: [],
    alreadyThere: [],
    refused: [] as AdProblem[],
    invalidIds: [],
    missing: [],
    updatedAt: new Date().toISOString(),
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as T;
}

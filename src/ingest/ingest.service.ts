import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { setTimeout as delay } from 'node:timers/promises';
import { BadInputError, describeError, ShutdownError, SourceChangedError } from '../core/errors.js';
import { toAbsolute } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { assertTransition, INGEST_STATES, type State } from '../core/state.js';
import type { FileStat } from '../store/storage.repository.js';
import type { StageContext } from './context.js';
import { convert } from './convert.js';
import { findDuplicate } from './dedupe.js';
import { name, type NameSources } from './name.js';
import { probe } from './probe.js';
import { setAside } from './set-aside.js';
import { stage } from './place.js';

/** States a crash may lose without harm: the step that made them runs again. */
const REDERIVABLE: ReadonlySet<State> = new Set(['probed', 'named']);

export interface PipelineOptions {
  /** Probes and conversions at once (ffmpeg, sharp): the number of cores. */
  readonly concurrency: number;
  /** Files in flight at once; beyond the conversions, they wait on disk writes and moves. */
  readonly filesInFlight?: number;
  /** Transient failures of one file before it is marked failed and left for a person. */
  readonly maxAttempts: number;
  /** First retry delay; each later one doubles it. */
  readonly retryBaseMs?: number;
  /** Called after every recorded change, to refresh what people read. */
  readonly onChange?: () => void;
  /** Called with a source that changed under us, so it is watched until stable again. */
  readonly watchAgain?: (absolutePath: string) => void;
}

/**
 * Drives each file through probe → name → dedupe → convert → stage. Each step's result is
 * committed to the database before the next begins, so a restart resumes at the last step done.
 */
export class PipelineService {
  /** Files in flight, each from its current step to the end of the ingest. */
  private readonly queue: PQueue;
  /** The CPU-heavy steps of those files. */
  private readonly conversions: PQueue;
  private readonly scheduled = new Set<string>();
  private readonly runAgain = new Set<string>();
  /** Files that changed since their record was made: their next run starts over with this stat. */
  private readonly restartWith = new Map<string, FileStat>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly stopping = new AbortController();
  /** Set by {@link stop}: conversions under way may finish, none may start. */
  private draining = false;
  private readonly ctx: StageContext;

  constructor(
    ctx: Omit<StageContext, 'signal'>,
    private readonly nameSources: NameSources,
    private readonly options: PipelineOptions,
  ) {
    this.ctx = { ...ctx, signal: this.stopping.signal };
    this.queue = new PQueue({ concurrency: options.filesInFlight ?? options.concurrency * 4 });
    this.conversions = new PQueue({ concurrency: options.concurrency });
    // Every queued file listens on this one signal; thousands queued at once is normal.
    setMaxListeners(0, this.stopping.signal);
  }

  /** A stable file in `inbox/`: creates its record, or restarts one that failed or changed. */
  submit(sourcePath: string, stat: FileStat): void {
    if (this.stopping.signal.aborted) return;
    const key = this.ctx.creatives.index.keyOfSource(sourcePath);
    const existing = key === undefined ? undefined : this.ctx.creatives.get(key);
    if (!existing) {
      const record = this.ctx.creatives.create({ state: 'discovered', source: { path: sourcePath, ...stat }, attempts: 0, times: { discovered: new Date().toISOString() } });
      this.changed(record, 'found in inbox');
      this.schedule(record.key);
      return;
    }
    const changed = existing.source.size !== stat.size || existing.source.mtimeMs !== stat.mtimeMs;
    if (existing.state === 'failed' && !changed) return;
    if (changed) this.restartWith.set(existing.key, stat);
    this.schedule(existing.key);
  }

  /** Picks up every record left between steps (by a crash, or by a change under way) that is not running. */
  resumeUnfinished(): number {
    const unfinished = this.activeRecords().filter((record) => INGEST_STATES.has(record.state) && !this.scheduled.has(record.key));
    for (const record of unfinished) this.schedule(record.key);
    return unfinished.length;
  }

  /** Gives failed files whose source is still in `inbox/` another full try. */
  async retryFailed(): Promise<number> {
    const failed = this.activeRecords().filter((record) => record.state === 'failed');
    let retried = 0;
    for (const record of failed) {
      const stat = await this.ctx.storage.stat(toAbsolute(this.ctx.layout, record.source.path));
      if (!stat) continue;
      this.restartWith.set(record.key, stat);
      this.schedule(record.key);
      retried += 1;
    }
    return retried;
  }

  /** Records whose source is still in `inbox/`: always in memory. */
  private activeRecords(): CreativeRecord[] {
    return [...this.ctx.creatives.index.activeKeys()].flatMap((key) => this.ctx.creatives.get(key) ?? []);
  }

  /** Resolves when no file is queued, running or waiting for a retry. */
  async settled(): Promise<void> {
    while (this.queue.size > 0 || this.queue.pending > 0 || this.retryTimers.size > 0) {
      await Promise.race([this.queue.onIdle(), delay(200)]);
    }
  }

  get counts(): { queued: number; running: number; retrying: number } {
    return { queued: this.queue.size, running: this.queue.pending, retrying: this.retryTimers.size };
  }

  /**
   * Stops taking work, lets the files in progress finish for up to `graceMs`, then abandons them
   * (ffmpeg is killed, temporary files removed); they resume from their last step on the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.draining = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.queue.clear();
    const idle = this.queue.onIdle();
    const grace = new AbortController();
    const finished = await Promise.race([idle.then(() => true), delay(graceMs, false, { signal: grace.signal }).catch(() => false)]);
    // The grace timer must not outlive an early finish: it would hold the process open.
    grace.abort();
    this.stopping.abort(new ShutdownError());
    if (!finished) await idle;
  }

  private schedule(key: string): void {
    if (this.stopping.signal.aborted) return;
    if (this.scheduled.has(key)) {
      this.runAgain.add(key);
      return;
    }
    this.scheduled.add(key);
    this.queue
      .add(() => this.run(key), { signal: this.stopping.signal })
      .catch((error: unknown) => {
        if (!this.stopping.signal.aborted) this.ctx.log.error({ err: error, key }, 'Unexpected pipeline error');
      })
      .finally(() => {
        this.scheduled.delete(key);
        if (this.runAgain.delete(key)) this.schedule(key);
      });
  }

  private async run(key: string): Promise<void> {
    let record = this.ctx.creatives.get(key);
    const stat = this.restartWith.get(key);
    if (record && stat) {
      this.restartWith.delete(key);
      record = await this.restart(record, stat);
    }
    while (record && INGEST_STATES.has(record.state) && !this.stopping.signal.aborted) {
      try {
        record = await this.step(record);
      } catch (error) {
        await this.fail(record, error);
        return;
      }
    }
  }

  private async step(record: CreativeRecord): Promise<CreativeRecord> {
    switch (record.state) {
      case 'discovered':
        return this.commit(record, await this.heavy(() => probe(record, this.ctx)), 'probed');
      case 'probed':
        return this.commit(record, name(record, this.nameSources), 'named');
      case 'named': {
        const duplicate = await findDuplicate(record, this.ctx.creatives);
        if (duplicate) {
          const setAsideRecord = await setAside({ ...record, duplicateOf: duplicate.of.key }, 'duplicate', duplicate.reason, this.ctx);
          return this.commit(record, setAsideRecord, duplicate.reason);
        }
        return this.commit(record, await this.heavy(() => convert(record, this.ctx)), 'converted');
      }
      case 'converted':
        return this.commit(record, await stage(record, this.ctx), 'staged');
      default:
        return record;
    }
  }

  private heavy(work: () => Promise<CreativeRecord>): Promise<CreativeRecord> {
    return this.conversions.add(
      () => {
        if (this.draining) throw new ShutdownError();
        return work();
      },
      { signal: this.stopping.signal },
    );
  }

  /**
   * Records a step. `probed` and `named` can be worked out again, so they are written with the next
   * batch of changes; every other state comes before an irreversible move or ends the ingest, so
   * it is on disk before we go on.
   */
  private async commit(previous: CreativeRecord, next: CreativeRecord, message: string, resetAttempts = true): Promise<CreativeRecord> {
    assertTransition(previous.state, next.state, next.key);
    const stamped: CreativeRecord = {
      ...next,
      attempts: resetAttempts ? 0 : next.attempts,
      times: next.times[next.state] ? next.times : { ...next.times, [next.state]: new Date().toISOString() },
    };
    if (REDERIVABLE.has(stamped.state)) this.ctx.creatives.put(stamped);
    else await this.ctx.creatives.commit(stamped);
    this.changed(stamped, message);
    return stamped;
  }

  private changed(record: CreativeRecord, message: string): void {
    const level = record.state === 'rejected' || record.state === 'failed' ? 'warn' : 'info';
    this.ctx.log[level]({ file: record.source.path, key: record.key, state: record.state, id: record.naming?.id }, message);
    this.options.onChange?.();
  }

  private async fail(record: CreativeRecord, error: unknown): Promise<void> {
    if (this.stopping.signal.aborted || error instanceof ShutdownError) {
      this.ctx.log.info({ file: record.source.path, state: record.state }, 'Abandoned for shutdown; resumes from this step on the next start');
      return;
    }
    try {
      if (error instanceof BadInputError) {
        await this.commit(record, await setAside(record, 'rejected', error.plain, this.ctx), error.plain);
      } else if (error instanceof SourceChangedError) {
        await this.sourceChanged(record, error);
      } else {
        await this.transientFailure(record, error);
      }
    } catch (nested) {
      if (!this.stopping.signal.aborted) await this.transientFailure(record, nested);
    }
  }

  private async sourceChanged(record: CreativeRecord, error: SourceChangedError): Promise<void> {
    const file = toAbsolute(this.ctx.layout, record.source.path);
    const stat = await this.ctx.storage.stat(file);
    if (!stat) {
      await this.giveUp(record, error.plain, record.attempts, error.message);
      return;
    }
    await this.restart(record, stat);
    this.options.watchAgain?.(file);
  }

  private async transientFailure(record: CreativeRecord, error: unknown): Promise<void> {
    const attempts = record.attempts + 1;
    const reason = describeError(error);
    if (attempts >= this.options.maxAttempts) {
      await this.giveUp(record, reason, attempts, `Failed after ${attempts} attempts: ${reason}`);
      return;
    }
    await this.ctx.creatives.commit({ ...record, attempts, reason });
    const wait = (this.options.retryBaseMs ?? 1_000) * 2 ** (attempts - 1);
    this.ctx.log.warn({ file: record.source.path, attempts, retryInMs: wait, reason }, 'Step failed; retrying');
    this.retryTimers.set(
      record.key,
      setTimeout(() => {
        this.retryTimers.delete(record.key);
        this.schedule(record.key);
      }, wait),
    );
  }

  /** Marks a file failed; it stays in `inbox/`, and what was converted from it goes. */
  private async giveUp(record: CreativeRecord, reason: string, attempts: number, message: string): Promise<void> {
    await this.removeConvertedOutputs(record);
    const { outputs: _outputs, ...rest } = record;
    await this.commit(record, { ...rest, state: 'failed', attempts, reason }, message, false);
  }

  /**
   * Back to `discovered` with the file as it is now. Its converted outputs go first: changed
   * content gets another id, so they would otherwise stay in uploaded/ with no record.
   */
  private async restart(record: CreativeRecord, stat: FileStat): Promise<CreativeRecord> {
    assertTransition(record.state, 'discovered', record.key);
    await this.removeConvertedOutputs(record);
    const { hash: _hash, media: _media, kind: _kind, naming: _naming, outputs: _outputs, notes: _notes, reason: _reason, ...rest } = record;
    const next: CreativeRecord = { ...rest, state: 'discovered', source: { path: record.source.path, ...stat }, attempts: 0 };
    this.ctx.creatives.put(next);
    return next;
  }

  private async removeConvertedOutputs(record: CreativeRecord): Promise<void> {
    await Promise.all(
      (record.outputs ?? []).filter((output) => output.converted).map((output) => this.ctx.storage.remove(toAbsolute(this.ctx.layout, output.path))),
    );
  }
}

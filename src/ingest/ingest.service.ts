import { once, setMaxListeners } from 'node:events';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import PQueue from 'p-queue';
import {
  BadInputError,
  describeError,
  KnownFakeError,
  ShutdownError,
  SourceChangedError,
  storageFault,
  type StorageFaultError,
} from '../core/errors.js';
import type { ActivityBus } from '../core/events.js';
import type { Layout, RootPath } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { CreativeRecord } from '../core/record.js';
import { backoff } from '../core/retry.js';
import { assertTransition, INGEST_STATES, type State } from '../core/state.js';
import { StabilityGate } from '../intake/stability-gate.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { FileStat, StorageRepository } from '../store/storage.repository.js';
import type { DiskPause } from './disk-pause.js';
import type { IngestSteps } from './steps.js';

/** States a crash may lose without harm: the step that made them runs again. */
const REDERIVABLE: ReadonlySet<State> = new Set(['probed', 'named']);

export interface IngestOptions {
  /** Probes and conversions at once (ffmpeg, sharp). */
  readonly concurrency: number;
  /** Files in flight at once; beyond the conversions, they wait on disk writes and moves. Default 4 × concurrency. */
  readonly filesInFlight?: number;
  /** Transient failures of one file before it is marked failed and left for a person. */
  readonly maxAttempts: number;
  /** First retry delay; each later one doubles it. Default 1 s. */
  readonly retryBaseMs?: number;
  /** A file is taken once its size and mtime have not changed for this long. */
  readonly stabilityMs: number;
}

/** What the driver works with: the database, the filesystem, and where to say what happened. */
export interface IngestDeps {
  readonly layout: Layout;
  readonly storage: StorageRepository;
  readonly creatives: CreativeRepository;
  readonly steps: IngestSteps;
  /** Holds the work while the disk refuses writes. */
  readonly pause: DiskPause;
  readonly events: ActivityBus;
  readonly log: Logger;
}

/**
 * Drives each file in `inbox/` through probe → name → dedupe → convert → place. A file is taken
 * once it is stable; each step's result is committed before the next begins, so a restart resumes
 * at the last step done. Bad input is set aside, transient failures are retried with backoff.
 */
export class IngestService {
  /** Files in flight, each from its current step to the end of the ingest. */
  private readonly queue: PQueue;
  /** The CPU-heavy steps of those files. */
  private readonly conversions: PQueue;
  private readonly gate: StabilityGate;
  private readonly scheduled = new Set<string>();
  private readonly runAgain = new Set<string>();
  /** Files that changed since their record was made: their next run starts over with this stat. */
  private readonly restartWith = new Map<string, FileStat>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  /** Resolved when the next retry timer fires. */
  private retryWaiters: (() => void)[] = [];
  /** Files held back while the disk refuses writes; they go on when it takes them again. */
  private readonly waitingForDisk = new Set<string>();
  private readonly stopping = new AbortController();
  /** Set by {@link stop}: conversions under way may finish, none may start. */
  private draining = false;

  constructor(
    private readonly deps: IngestDeps,
    private readonly options: IngestOptions,
  ) {
    this.queue = new PQueue({ concurrency: options.filesInFlight ?? options.concurrency * 4 });
    this.conversions = new PQueue({ concurrency: options.concurrency });
    this.gate = new StabilityGate(
      deps.storage,
      options.stabilityMs,
      (file, stat) => this.submit(deps.layout.rel(file), stat),
      (file, error) =>
        deps.log.warn({ err: error, file }, 'Could not check the file; the next reconcile pass tries again'),
    );
    // Every queued file listens on this one signal; thousands queued at once is normal.
    setMaxListeners(0, this.stopping.signal);
  }

  /** A file seen in `inbox/` (by the watcher or a reconcile pass): taken once it stops changing. */
  observe(file: string): void {
    if (!this.stopping.signal.aborted) this.gate.observe(file);
  }

  /** A stable file in `inbox/`: creates its record, or restarts one that failed or changed. */
  submit(sourcePath: RootPath, stat: FileStat): void {
    if (this.stopping.signal.aborted) return;
    const { creatives } = this.deps;
    const key = creatives.index.keyOfSource(sourcePath);
    const existing = key === undefined ? undefined : creatives.get(key);
    if (!existing) {
      const record = creatives.create({
        state: 'discovered',
        source: { path: sourcePath, ...stat },
        attempts: 0,
        times: { discovered: new Date().toISOString() },
      });
      this.changed(record, 'found in inbox');
      this.schedule(record.key);
      return;
    }
    const changed = existing.source.size !== stat.size || existing.source.mtimeMs !== stat.mtimeMs;
    if (existing.state === 'failed' && !changed) return;
    if (changed) this.restartWith.set(existing.key, stat);
    this.schedule(existing.key);
  }

  /** Picks up every record left between steps (by a crash, or by a change under way) that is neither running nor waiting out a retry delay. */
  resumeUnfinished(): number {
    const unfinished = this.activeRecords().filter(
      (record) =>
        INGEST_STATES.has(record.state) &&
        !this.scheduled.has(record.key) &&
        !this.retryTimers.has(record.key) &&
        !this.waitingForDisk.has(record.key),
    );
    for (const record of unfinished) this.schedule(record.key);
    return unfinished.length;
  }

  /** Gives failed files whose source is still in `inbox/` another full try. */
  async retryFailed(): Promise<number> {
    const failed = this.activeRecords().filter((record) => record.state === 'failed');
    let retried = 0;
    for (const record of failed) {
      const stat = await this.deps.storage.stat(this.deps.layout.abs(record.source.path));
      if (!stat) continue;
      // Another full try: the attempts start over.
      this.deps.creatives.put({ ...record, attempts: 0 });
      this.restartWith.set(record.key, stat);
      this.schedule(record.key);
      retried += 1;
    }
    return retried;
  }

  /**
   * Resolves when no file is waiting to become stable, queued, running or waiting for a retry; or,
   * while the disk refuses writes, once the files under way have stopped (see {@link paused}).
   */
  async settled(): Promise<void> {
    while (this.gate.pending > 0 || this.queue.size > 0 || this.queue.pending > 0 || this.retryTimers.size > 0) {
      await this.gate.idle();
      if (this.deps.pause.current) {
        await this.queue.onPendingZero();
        if (this.deps.pause.current) return;
      }
      const pauseBegins = new AbortController();
      await Promise.race([
        this.queue.onIdle(),
        once(this.deps.events, 'paused', { signal: pauseBegins.signal }).catch(() => undefined),
      ]);
      pauseBegins.abort();
      // Only retries are left: wait for one to fire, not in a loop (an idle queue resolves at once).
      if (this.retryTimers.size > 0 && this.gate.pending === 0 && this.queue.size === 0 && this.queue.pending === 0) {
        await new Promise<void>((resolve) => this.retryWaiters.push(resolve));
      }
    }
  }

  /** Files: not yet stable, queued, running (of which `waitingForCore` wait to probe or convert), retrying, held for the disk. */
  get counts(): {
    waiting: number;
    queued: number;
    running: number;
    waitingForCore: number;
    retrying: number;
    waitingForDisk: number;
  } {
    return {
      waiting: this.gate.pending,
      queued: this.queue.size,
      running: this.queue.pending,
      waitingForCore: this.conversions.size,
      retrying: this.retryTimers.size,
      waitingForDisk: this.waitingForDisk.size,
    };
  }

  /** Why work is paused (the disk refuses writes), in plain words; undefined while it goes on. */
  get paused(): string | undefined {
    return this.deps.pause.current?.plain;
  }

  /**
   * Stops taking work, lets the files in progress finish for up to `graceMs`, then abandons them
   * (ffmpeg is killed, temporary files removed); they resume from their last step on the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.draining = true;
    this.deps.pause.stop();
    this.gate.close();
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    for (const resolve of this.retryWaiters.splice(0)) resolve();
    this.queue.clear();
    const idle = this.queue.onIdle();
    const grace = new AbortController();
    const finished = await Promise.race([
      idle.then(() => true),
      delay(graceMs, false, { signal: grace.signal }).catch(() => false),
    ]);
    // The grace timer must not outlive an early finish: it would hold the process open.
    grace.abort();
    this.stopping.abort(new ShutdownError());
    if (!finished) await idle;
  }

  /** Records whose source is still in `inbox/`: always in memory. */
  private activeRecords(): CreativeRecord[] {
    const { creatives } = this.deps;
    return [...creatives.index.activeKeys()].flatMap((key) => creatives.get(key) ?? []);
  }

  private schedule(key: string): void {
    if (this.stopping.signal.aborted) return;
    if (this.scheduled.has(key)) {
      this.runAgain.add(key);
      return;
    }
    this.scheduled.add(key);
    this.queue
      .add(() => this.run(key), { signal: this.stopping.signal, priority: this.priorityOf(key) })
      .catch((error: unknown) => {
        if (!this.stopping.signal.aborted) this.deps.log.error({ err: error, key }, 'Unexpected ingest error');
      })
      .finally(() => {
        this.scheduled.delete(key);
        if (this.runAgain.delete(key)) this.schedule(key);
      });
  }

  /** Runs a file's steps until it leaves the ingest; a change reported meanwhile starts it over first. */
  private async run(key: string): Promise<void> {
    let record = this.deps.creatives.get(key);
    try {
      // A change whose write failed (a full disk) is on disk before this file moves on.
      await this.deps.creatives.flush();
    } catch (error) {
      if (record) await this.fail(record, error);
      return;
    }
    while (record && !this.stopping.signal.aborted) {
      const stat = this.restartWith.get(key);
      if (stat === undefined && !INGEST_STATES.has(record.state)) return;
      try {
        if (stat === undefined) {
          record = await this.step(record);
        } else {
          this.restartWith.delete(key);
          record = await this.restart(record, stat);
        }
      } catch (error) {
        // A restart that failed is tried again with the retry, not forgotten.
        if (stat !== undefined && !this.restartWith.has(key)) this.restartWith.set(key, stat);
        await this.fail(record, error);
        return;
      }
    }
  }

  private async step(record: CreativeRecord): Promise<CreativeRecord> {
    const { steps } = this.deps;
    const signal = this.stopping.signal;
    switch (record.state) {
      case 'discovered':
        return this.commit(record, await this.heavy(record, () => steps.probe(record, signal)), 'probed');
      case 'probed':
        return this.commit(record, await steps.name(record), 'named');
      case 'named': {
        const duplicate = await steps.findDuplicate(record);
        if (duplicate) {
          const setAside = await steps.setAside(
            { ...record, duplicateOf: duplicate.of.key },
            'duplicate',
            duplicate.reason,
            signal,
          );
          return this.commit(record, setAside, duplicate.reason);
        }
        return this.commit(record, await this.heavy(record, () => steps.convert(record, signal)), 'converted');
      }
      case 'converted':
        return this.commit(record, await steps.place(record, signal), 'staged');
      default:
        return record;
    }
  }

  private heavy(record: CreativeRecord, work: () => Promise<CreativeRecord>): Promise<CreativeRecord> {
    return this.conversions.add(
      () => {
        if (this.draining) throw new ShutdownError();
        return work();
      },
      { signal: this.stopping.signal, priority: record.source.size },
    );
  }

  /**
   * Bigger files go first, in both queues: the long conversions of a batch start early and the
   * short ones fill the cores at the end, instead of one long video finishing alone on one core
   * (20 native pairs dropped with 100 photos: 21.3 s instead of 22.3). Equal sizes keep their order.
   */
  private priorityOf(key: string): number {
    return this.deps.creatives.get(key)?.source.size ?? 0;
  }

  /**
   * Records a step. `probed` and `named` can be worked out again, so they are written with the next
   * batch of changes; every other state comes before an irreversible move or ends the ingest, so
   * it is on disk before we go on.
   */
  private async commit(
    previous: CreativeRecord,
    next: CreativeRecord,
    message: string,
    resetAttempts = true,
  ): Promise<CreativeRecord> {
    assertTransition(previous.state, next.state, next.key);
    const stamped: CreativeRecord = {
      ...next,
      attempts: resetAttempts ? 0 : next.attempts,
      times: next.times[next.state] ? next.times : { ...next.times, [next.state]: new Date().toISOString() },
    };
    if (REDERIVABLE.has(stamped.state)) this.deps.creatives.put(stamped);
    else await this.deps.creatives.commit(stamped);
    this.changed(stamped, message);
    return stamped;
  }

  private changed(record: CreativeRecord, message: string): void {
    const level = record.state === 'rejected' || record.state === 'failed' ? 'warn' : 'info';
    this.deps.log[level](
      { file: record.source.path, key: record.key, state: record.state, id: record.naming?.id },
      message,
    );
    this.deps.events.emit('creative', record, message);
  }

  private async fail(record: CreativeRecord, error: unknown): Promise<void> {
    if (this.stopping.signal.aborted || error instanceof ShutdownError) {
      this.deps.log.info(
        { file: record.source.path, state: record.state },
        'Abandoned for shutdown; resumes from this step on the next start',
      );
      return;
    }
    const fault = storageFault(error, (file) => path.dirname(file));
    if (fault && (await this.deps.pause.holds(fault))) {
      this.waitForDisk(record, fault);
      return;
    }
    try {
      if (error instanceof BadInputError) {
        const known = error instanceof KnownFakeError ? { ...record, hash: error.hash, knownFake: true } : record;
        await this.commit(
          record,
          await this.deps.steps.setAside(known, 'rejected', error.plain, this.stopping.signal),
          error.plain,
        );
      } else if (error instanceof SourceChangedError) {
        await this.sourceChanged(record, error);
      } else {
        await this.transientFailure(record, error);
      }
    } catch (nested) {
      if (!this.stopping.signal.aborted) await this.transientFailure(record, nested);
    }
  }

  /** Holds the file, and every file not yet started, until the disk takes writes again; no attempt is charged. */
  private waitForDisk(record: CreativeRecord, fault: StorageFaultError): void {
    this.waitingForDisk.add(record.key);
    this.deps.log.info(
      { file: record.source.path, state: record.state },
      'Waiting for the disk; the file stays where it is',
    );
    this.queue.pause();
    void this.deps.pause.until(fault).then(() => {
      if (this.stopping.signal.aborted) return;
      const held = [...this.waitingForDisk];
      this.waitingForDisk.clear();
      this.queue.start();
      for (const key of held) this.schedule(key);
    });
  }

  private async sourceChanged(record: CreativeRecord, error: SourceChangedError): Promise<void> {
    const file = this.deps.layout.abs(record.source.path);
    const stat = await this.deps.storage.stat(file);
    if (!stat) {
      await this.giveUp(record, error.plain, record.attempts, error.message);
      return;
    }
    await this.restart(record, stat);
    this.gate.observe(file);
  }

  private async transientFailure(record: CreativeRecord, error: unknown): Promise<void> {
    const attempts = record.attempts + 1;
    const reason = describeError(error);
    if (attempts >= this.options.maxAttempts) {
      await this.giveUp(record, reason, attempts, `Failed after ${attempts} attempts: ${reason}`);
      return;
    }
    await this.deps.creatives.commit({ ...record, attempts, reason });
    const wait = backoff(attempts, { baseMs: this.options.retryBaseMs ?? 1_000 });
    this.deps.log.warn({ file: record.source.path, attempts, retryInMs: wait, reason }, 'Step failed; retrying');
    this.retryTimers.set(
      record.key,
      setTimeout(() => {
        this.retryTimers.delete(record.key);
        this.schedule(record.key);
        for (const resolve of this.retryWaiters.splice(0)) resolve();
      }, wait),
    );
  }

  /** Marks a file failed; it stays in `inbox/`, and what was converted from it goes. */
  private async giveUp(record: CreativeRecord, reason: string, attempts: number, message: string): Promise<void> {
    this.restartWith.delete(record.key);
    await this.deps.steps.removeOutputs(record);
    const { outputs: _outputs, ...rest } = record;
    const failed: CreativeRecord = { ...rest, state: 'failed', attempts, reason };
    // A failed file whose retry failed again stays failed, with the newer reason.
    if (record.state === 'failed') await this.deps.creatives.commit(failed);
    else await this.commit(record, failed, message, false);
  }

  /**
   * Back to `discovered` with the file as it is now. Its converted outputs go first: changed
   * content gets another id, so they would otherwise stay in uploaded/ with no record.
   */
  private async restart(record: CreativeRecord, stat: FileStat): Promise<CreativeRecord> {
    assertTransition(record.state, 'discovered', record.key);
    await this.deps.steps.removeOutputs(record);
    const {
      hash: _hash,
      media: _media,
      kind: _kind,
      naming: _naming,
      outputs: _outputs,
      notes: _notes,
      reason: _reason,
      ...rest
    } = record;
    const next: CreativeRecord = {
      ...rest,
      state: 'discovered',
      source: { path: record.source.path, ...stat },
      attempts: 0,
    };
    this.deps.creatives.put(next);
    return next;
  }
}

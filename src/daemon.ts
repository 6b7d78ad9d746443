import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import cron, { type ScheduledTask } from 'node-cron';
import type { App } from './app.js';
import { describeError, storageFault } from './core/errors.js';
import type { Logger } from './core/logger.js';

/**
 * `start`: the daemon. It only schedules jobs: the watcher and the reconcile pass feed the ingest,
 * and uploads, the status sync and the daily report run on their crons. On `stop`, it lets the
 * current files and upload batch finish (or abandons them safely after the grace period).
 */
export async function runDaemon(app: App, stop: AbortSignal): Promise<void> {
  const { config, jobs, log } = app;
  // Creatives uploaded before a crash, and batches it cut short, are archived first.
  await jobs.archive();
  const watcher = await jobs.watchInbox();
  const schedule = new Schedule(log);
  schedule.every('reconcile', config.reconcileCron, () => jobs.reconcile());
  schedule.every('upload', config.uploadCron, async (signal) => {
    await jobs.uploadPass({ signal });
    await jobs.keepAlive();
  });
  schedule.every('report', config.reportCron, () => jobs.dailyReport(), 'Could not write the daily report; `creative-flow report` writes it by hand');
  if (!config.dryRun) schedule.every('sync-status', config.syncCron, () => jobs.syncStatuses());
  await jobs.reconcile();
  log.info({ inbox: config.layout.inbox, reconcile: config.reconcileCron, uploads: config.dryRun ? 'dry run' : config.uploadCron }, 'Watching inbox/');

  if (!stop.aborted) await once(stop, 'abort');
  log.info({ graceMs: config.shutdownGraceMs, ...app.services.ingest.counts }, 'Stopping: finishing the files in progress');
  await watcher.close();
  await Promise.all([schedule.stop(config.shutdownGraceMs), jobs.drain(config.shutdownGraceMs)]);
  log.info('Stopped');
}

/** node-cron tasks whose runs never overlap themselves, log their failures, and stop together. */
class Schedule {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();

  constructor(private readonly log: Logger) {}

  every(name: string, expression: string, job: (signal: AbortSignal) => Promise<unknown>, failure = `The ${name} pass failed; the next one tries again`): void {
    const task = cron.schedule(
      expression,
      async () => {
        const run = job(this.stopping.signal).catch((error: unknown) => this.log.error({ err: error, job: name }, `${failure}: ${describeError(storageFault(error, path.dirname) ?? error)}`));
        this.running.add(run);
        await run.finally(() => this.running.delete(run));
      },
      { name, noOverlap: true },
    );
    this.tasks.push(task);
  }

  /** No new run starts; a run under way is told to stop and waits up to `graceMs` (its work is recorded as it goes, so a cut-off run resumes safely). */
  async stop(graceMs: number): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.stop()));
    this.stopping.abort();
    await Promise.race([Promise.all(this.running), delay(graceMs, undefined, { ref: false })]);
  }
}

import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import cron, { type ScheduledTask } from 'node-cron';
import type { App } from './app.js';
import type { ActivityBus } from './core/events.js';
import { openDashboard } from './dashboard/dashboard.js';
import type { ScheduledPass } from './dashboard/live-state.js';
import type { RunningDashboard } from './dashboard/server.js';
import { describeError, ShutdownError, storageFault } from './core/errors.js';
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
  const schedule = new Schedule(log, app.events);
  schedule.every('reconcile', config.reconcileCron, () => jobs.reconcile());
  schedule.every('upload', config.uploadCron, async (signal) => {
    await jobs.uploadPass({ signal });
    await jobs.keepAlive();
  });
  schedule.every(
    'report',
    config.reportCron,
    (signal) => jobs.dailyReport(undefined, signal),
    'Could not write the daily report; `creative-flow report` writes it by hand',
  );
  if (!config.dryRun) schedule.every('sync-status', config.syncCron, (signal) => jobs.syncStatuses({ signal }));
  schedule.every(
    'results',
    config.resultsCron,
    (signal) => jobs.fetchResults({ signal }),
    'Could not fetch results; the last figures fetched stay, and the next pass tries again',
  );
  schedule.every('housekeeping', config.housekeepingCron, () => jobs.housekeeping());
  await jobs.reconcile();
  await jobs
    .housekeeping()
    .catch((error: unknown) => log.warn({ err: error }, 'Housekeeping failed; it runs again on its schedule'));
  const dashboard = await openDashboardOrSay(app, () => schedule.nextRuns(), stop);
  log.info(
    {
      inbox: config.layout.inbox,
      reconcile: config.reconcileCron,
      uploads: config.dryRun ? 'dry run' : config.uploadCron,
    },
    'Watching inbox/',
  );

  if (!stop.aborted) await once(stop, 'abort');
  log.info(
    { graceMs: config.shutdownGraceMs, ...app.services.ingest.counts },
    'Stopping: finishing the files in progress',
  );
  await watcher.close();
  // No pass starts and the API takes no job; the passes are told to stop, and the API's jobs were
  // told by `stop` itself. The server closes only once they ended (or their grace did): a command
  // waiting on a job gets its answer, and a job never holds the stop past the grace period.
  const [, apiJobsEnded] = await Promise.all([
    schedule.stop(config.shutdownGraceMs),
    dashboard?.jobsEnded(config.shutdownGraceMs),
    jobs.drain(config.shutdownGraceMs),
  ]);
  if (apiJobsEnded === false)
    log.warn(
      { graceMs: config.shutdownGraceMs },
      'A job asked through the local API did not stop within the grace period; the daemon stops without it, and its command sees the connection end',
    );
  await dashboard?.close();
  log.info('Stopped');
}

/** The dashboard, and its address in the log; a port in use is said, and the daemon goes on without it. */
async function openDashboardOrSay(
  app: App,
  nextRuns: () => readonly ScheduledPass[],
  stop: AbortSignal,
): Promise<RunningDashboard | undefined> {
  const { config, log } = app;
  if (config.dashboardPort === 0) {
    log.info('Dashboard off (DASHBOARD_PORT=0): commands on this root cannot reach the daemon while it runs');
    return undefined;
  }
  try {
    const dashboard = await openDashboard(app, nextRuns, stop);
    // The token stays out of the log files; a person at the terminal gets the whole address.
    log.info(
      { port: dashboard.port },
      `Dashboard on http://127.0.0.1:${dashboard.port}/ (\`creative-flow dashboard\` prints its address with the token)`,
    );
    if (process.stdout.isTTY) process.stdout.write(`\nDashboard: ${dashboard.url}\n\n`);
    return dashboard;
  } catch (error) {
    log.error(
      { err: error, port: config.dashboardPort },
      `The dashboard could not start on 127.0.0.1:${config.dashboardPort} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set DASHBOARD_PORT to a free port, or 0 to turn it off. The daemon goes on without it.`,
    );
    return undefined;
  }
}

/** node-cron tasks whose runs never overlap themselves, log their failures, and stop together. */
class Schedule {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly log: Logger,
    private readonly events: Pick<ActivityBus, 'emit'>,
  ) {}

  every(
    name: string,
    expression: string,
    job: (signal: AbortSignal) => Promise<unknown>,
    failure = `The ${name} pass failed; the next one tries again`,
  ): void {
    // Overlap is prevented here, not by node-cron's `noOverlap`, which prints a warning of its own each time.
    let busy = false;
    const task = cron.schedule(
      expression,
      async () => {
        if (busy) {
          this.log.debug({ job: name }, 'The last pass is still running; this one is skipped');
          return;
        }
        busy = true;
        const run = job(this.stopping.signal).catch((error: unknown) => {
          // Told to stop, and stopped: not a failure.
          if (error instanceof ShutdownError)
            return this.log.info({ job: name }, `The ${name} pass stopped: the daemon is stopping`);
          const said = `${failure}: ${describeError(storageFault(error, (file) => path.dirname(file)) ?? error)}`;
          this.log.error({ err: error, job: name }, said);
          this.events.emit('problem', { at: new Date().toISOString(), what: `${name} pass`, message: said });
        });
        this.running.add(run);
        await run.finally(() => {
          this.running.delete(run);
          busy = false;
          // For a person reading a debug log, and for a test that must know a pass ran before it says nothing happened.
          this.log.debug({ job: name }, 'Pass ended');
        });
      },
      { name },
    );
    this.tasks.push(task);
  }

  /** Each pass and when it runs next. */
  nextRuns(): ScheduledPass[] {
    return this.tasks.map((task) => ({ name: task.name ?? task.id, next: task.getNextRun()?.toISOString() }));
  }

  /** No new run starts; a run under way is told to stop and waits up to `graceMs` (its work is recorded as it goes, so a cut-off run resumes safely). */
  async stop(graceMs: number): Promise<void> {
    // node-cron's `stop` returns a promise for some tasks and nothing for others.
    await Promise.all(
      this.tasks.map(async (task) => {
        await task.stop();
      }),
    );
    this.stopping.abort();
    await Promise.race([Promise.all(this.running), delay(graceMs, undefined, { ref: false })]);
  }
}

import type { Command } from 'commander';
import { askDaemon } from '../api/client.js';
import { runningDaemon } from '../api/daemon-file.js';
import { runJob, type JobName, type JobOptions, type JobResult } from '../api/job-requests.js';
import type { App } from '../app.js';
import { loadConfig, type Config } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { StorageRepository } from '../store/storage.repository.js';

/** The options every command takes. */
export interface GlobalOptions {
  root?: string;
  live?: boolean;
  logLevel?: string;
  verbose?: boolean;
}

export function configFrom(command: Command): Promise<Config> {
  const options = command.optsWithGlobals<GlobalOptions>();
  return loadConfig({
    root: options.root,
    flags: {
      DRY_RUN: options.live ? 'false' : undefined,
      LOG_LEVEL: options.logLevel ?? (options.verbose ? 'info' : undefined),
    },
  });
}

/** Opens the app on the command's root, runs `work`, and always closes it (flush, release the lock). */
export async function withApp<T>(command: Command, work: (app: App) => Promise<T>): Promise<T> {
  return withAppOn(await configFrom(command), work);
}

/** {@link withApp} on a configuration already read. */
export async function withAppOn<T>(config: Config, work: (app: App) => Promise<T>): Promise<T> {
  // Loaded here, not at start: `--help` and a command a daemon does need no browser, sharp or Fastify.
  const { openApp } = await import('../app.js');
  // A command's result goes to stdout; its log to stderr, so the result can be piped.
  const app = await openApp(config, createLogger({ level: config.commandLogLevel, toStderr: true }));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** Runs `work` with the progress of long work (walks, upload passes, a backlog) shown on stderr meanwhile. */
export async function withProgress<T>(app: App, work: () => Promise<T>): Promise<T> {
  const { showWorkProgress } = await import('./work-progress.js');
  const stop = showWorkProgress(process.stderr, app.events);
  try {
    return await work();
  } finally {
    stop();
  }
}

/** A job run here, without a daemon, its progress shown (see {@link withProgress}). */
export function hereWithProgress<N extends JobName>(
  job: N,
  options: JobOptions<N>,
): (config: Config) => Promise<JobResult<N>> {
  return (config) => withAppOn(config, (app) => withProgress(app, () => runJob(app.jobs, job, options)));
}

/** A job's result, and whether the daemon did it (it then ran without this command's progress display). */
export interface CommandJob<T> {
  readonly result: T;
  readonly byDaemon: boolean;
}

/**
 * Runs a job for a command: a daemon holding the root is asked to do it through its local API
 * (the command waits for its result); with none running, the command does it itself, through
 * `here` when given (a progress bar, a read without the lock), or by opening the app.
 */
export async function runForCommand<N extends JobName>(
  command: Command,
  job: N,
  options: JobOptions<N>,
  here?: (config: Config) => Promise<JobResult<N>>,
): Promise<CommandJob<JobResult<N>>> {
  const config = await configFrom(command);
  const storage = new StorageRepository();
  const daemon = await runningDaemon(config.layout, storage);
  if (!daemon)
    return {
      result: await (here ?? ((own: Config) => withAppOn(own, (app) => runJob(app.jobs, job, options))))(config),
      byDaemon: false,
    };
  const token = (await storage.readText(config.layout.dashboardTokenFile))?.trim();
  if (!token)
    throw new ConfigError(
      'data/dashboard.token',
      'cannot be read, so the running daemon cannot be asked',
      'Run the command as the user who runs the daemon.',
    );
  console.error(`creative-flow: the daemon running on this root (pid ${daemon.pid}) does it; waiting for its result`);
  // The mode the person asked for travels with the job, either way: the daemon runs it only in that mode.
  return {
    result: await askDaemon(daemon, token, job, { ...options, dryRun: config.dryRun } as JobOptions<N>),
    byDaemon: true,
  };
}

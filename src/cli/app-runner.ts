import type { Command } from 'commander';
import { askDaemon } from '../api/client.js';
import { runningDaemon } from '../api/daemon-file.js';
import { runJob, type JobName, type JobOptions, type JobResult } from '../api/job-requests.js';
import { openApp, type App } from '../app.js';
import { loadConfig, type Config } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { StorageRepository } from '../store/storage.repository.js';

/** The options every command takes. */
export interface GlobalOptions {
  root?: string;
  live?: boolean;
  logLevel?: string;
}

export function configFrom(command: Command): Promise<Config> {
  const options = command.optsWithGlobals<GlobalOptions>();
  return loadConfig({ root: options.root, flags: { DRY_RUN: options.live ? 'false' : undefined, LOG_LEVEL: options.logLevel } });
}

/** Opens the app on the command's root, runs `work`, and always closes it (flush, release the lock). */
export async function withApp<T>(command: Command, work: (app: App) => Promise<T>): Promise<T> {
  const config = await configFrom(command);
  // A command's result goes to stdout; its log to stderr, so the result can be piped.
  const app = await openApp(config, createLogger({ level: config.logLevel, toStderr: true }));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/**
 * Runs a job for a command: a daemon holding the root is asked to do it through its local API
 * (the command waits for its result); with none running, the command does it itself.
 */
export async function runForCommand<N extends JobName>(command: Command, job: N, options: JobOptions<N>): Promise<JobResult<N>> {
  const config = await configFrom(command);
  const storage = new StorageRepository();
  const daemon = await runningDaemon(config.layout, storage);
  if (!daemon) return withApp(command, (app) => runJob(app.jobs, job, options));
  const token = (await storage.readText(config.layout.dashboardTokenFile))?.trim();
  if (!token) throw new ConfigError('data/dashboard.token', 'cannot be read, so the running daemon cannot be asked', 'Run the command as the user who runs the daemon.');
  console.error(`creative-flow: the daemon running on this root (pid ${daemon.pid}) does it; waiting for its result`);
  const live = command.optsWithGlobals<GlobalOptions>().live === true;
  return askDaemon(daemon, token, job, { ...options, ...(live ? { live } : {}) } as JobOptions<N>);
}

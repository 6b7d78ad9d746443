import { ConfigError } from '../core/errors.js';
import type { Layout } from '../core/layout.js';
import { ProcessLock } from '../store/process-lock.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { dashboardUrl } from './token.js';

/** Where a running daemon serves its local API. */
export interface RunningDaemon {
  readonly pid: number;
  readonly port: number;
  readonly dryRun: boolean;
  readonly startedAt: string;
}

/** Written once the daemon's API listens; removed when it stops. */
export async function announceDaemon(layout: Layout, storage: StorageRepository, daemon: RunningDaemon): Promise<void> {
  await storage.writeFileAtomic(layout.daemonFile, `${JSON.stringify(daemon)}\n`, { mode: 0o600 });
}

export async function withdrawDaemon(layout: Layout, storage: StorageRepository): Promise<void> {
  await storage.remove(layout.daemonFile);
}

/** The daemon holding this root and serving its API, if there is one: the lock's live holder, and the pid the file names. */
export async function runningDaemon(layout: Layout, storage: StorageRepository): Promise<RunningDaemon | undefined> {
  const text = await storage.readText(layout.daemonFile).catch(() => undefined);
  if (text === undefined) return undefined;
  let daemon: RunningDaemon;
  try {
    daemon = JSON.parse(text) as RunningDaemon;
  } catch {
    return undefined;
  }
  const holder = await ProcessLock.holder(layout.lockFile, storage);
  return holder !== undefined && holder === daemon.pid && daemon.port > 0 ? daemon : undefined;
}

/** The running daemon's dashboard address, with its token: for `creative-flow dashboard`. */
export async function dashboardAddress(layout: Layout, storage: StorageRepository): Promise<string> {
  const daemon = await runningDaemon(layout, storage);
  const token = (await storage.readText(layout.dashboardTokenFile).catch(() => undefined))?.trim();
  if (!daemon || !token)
    throw new ConfigError(
      'dashboard',
      'is not being served: no daemon runs on this root, or its dashboard is off (DASHBOARD_PORT=0)',
      'Start the daemon (`creative-flow start`, or pm2), then run this again.',
    );
  return dashboardUrl(daemon.port, token);
}

import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { isIgnoredSource } from './ignore-rules.js';

/**
 * Feeds paths from chokidar to `onCandidate`. chokidar is a hint, not the source of truth: it drops
 * events in bursts and misses network shares, which the reconcile pass covers.
 *
 * No link below `inbox/` is followed: a link is reported as the entry it is, and set aside by the
 * probe, so a link to `~/Pictures` or to `/` never makes its target's files look like drops.
 * `inbox/` itself may be a link (to another disk): the watch starts at its real path and reports
 * paths under `layout.inbox`, as the rest of the pipeline names them.
 */
export async function watchInbox(
  layout: Layout,
  storage: StorageRepository,
  onCandidate: (file: string) => void,
  log: Logger,
): Promise<FSWatcher> {
  const watched = await storage.realPath(layout.inbox);
  const inInbox = (file: string): string => path.join(layout.inbox, path.relative(watched, file));
  const ignored = (file: string): boolean => file !== watched && isIgnoredSource(layout.rel(inInbox(file)));
  const watcher = watch(watched, { ignored, ignoreInitial: true, persistent: true, depth: 16, followSymlinks: false });
  const handle = (file: string): void => {
    // Checked again here: the ignore option is not applied to every event on every platform.
    if (!ignored(file)) onCandidate(inInbox(file));
  };
  watcher
    .on('add', handle)
    .on('change', handle)
    .on('error', (error: unknown) =>
      log.warn({ err: error }, 'Watcher error; the next reconcile pass covers what it missed'),
    );
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return watcher;
}

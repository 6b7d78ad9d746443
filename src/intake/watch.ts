import { watch, type FSWatcher } from 'chokidar';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import { isIgnoredSource } from './ignore-rules.js';

/**
 * Feeds paths from chokidar to `onCandidate`. chokidar is a hint, not the source of truth: it drops
 * events in bursts and misses network shares, which the reconcile pass covers.
 */
export async function watchInbox(layout: Layout, onCandidate: (file: string) => void, log: Logger): Promise<FSWatcher> {
  const ignored = (file: string): boolean => file !== layout.inbox && isIgnoredSource(layout.rel(file));
  const watcher = watch(layout.inbox, { ignored, ignoreInitial: true, persistent: true, depth: 16 });
  const handle = (file: string): void => {
    // Checked again here: the ignore option is not applied to every event on every platform.
    if (!ignored(file)) onCandidate(file);
  };
  watcher.on('add', handle).on('change', handle).on('error', (error: unknown) => log.warn({ err: error }, 'Watcher error; the next reconcile pass covers what it missed'));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return watcher;
}

import type { Layout } from '../core/layout.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { isIgnoredSource } from './ignore-rules.js';

/**
 * Compares `inbox/` with the database and returns the files no record accounts for, or whose
 * failed record's copy has since changed: files that arrived while the daemon was down, or whose
 * watcher events were dropped. Paths are absolute, as the watcher gives them.
 */
export async function findUnknownInboxFiles(
  layout: Layout,
  storage: StorageRepository,
  creatives: Pick<CreativeRepository, 'index' | 'get'>,
): Promise<string[]> {
  const unknown: string[] = [];
  for (const file of await storage.listFiles(layout.inbox)) {
    const source = layout.rel(file);
    if (isIgnoredSource(source)) continue;
    const key = creatives.index.keyOfSource(source);
    const record = key === undefined ? undefined : creatives.get(key);
    if (!record) {
      unknown.push(file);
    } else if (record.state === 'failed') {
      const stat = await storage.entryStat(file);
      if (stat && (stat.size !== record.source.size || stat.mtimeMs !== record.source.mtimeMs)) unknown.push(file);
    }
  }
  return unknown;
}

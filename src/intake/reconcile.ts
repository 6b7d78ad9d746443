import type { Layout } from '../core/layout.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { isIgnoredPath, relativeToInbox } from './ignore-rules.js';

/**
 * Compares `inbox/` with the database and returns the files no record accounts for, or whose
 * failed record's copy has since changed: files that arrived while the daemon was down, or whose
 * watcher events were dropped.
 */
export async function findUnknownInboxFiles(layout: Layout, storage: StorageRepository, creatives: Pick<CreativeRepository, 'index' | 'get'>): Promise<string[]> {
  const unknown: string[] = [];
  for (const file of await storage.listFiles(layout.inbox)) {
    const relative = relativeToInbox(layout.inbox, file);
    if (isIgnoredPath(relative)) continue;
    const key = creatives.index.keyOfSource(`inbox/${relative}`);
    const record = key === undefined ? undefined : creatives.get(key);
    if (!record) {
      unknown.push(file);
    } else if (record.state === 'failed') {
      const stat = await storage.stat(file);
      if (stat && (stat.size !== record.source.size || stat.mtimeMs !== record.source.mtimeMs)) unknown.push(file);
    }
  }
  return unknown;
}

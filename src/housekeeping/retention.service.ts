import { fileName } from '../core/files.js';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { StorageRepository } from '../store/storage.repository.js';

export interface PruneResult {
  readonly screenshots: number;
  readonly temporary: number;
  readonly reports: number;
}

/**
 * Keeps the root from growing without bound: screenshots (and their HTML), temporary files and
 * daily reports older than the retention are removed. What people keep for good (the inventory,
 * the archive, the upload status and campaign results) is never touched.
 */
export class RetentionService {
  constructor(
    private readonly layout: Layout,
    private readonly storage: StorageRepository,
    private readonly log: Logger,
    private readonly retentionDays: number,
  ) {}

  async prune(now = Date.now()): Promise<PruneResult> {
    const before = now - this.retentionDays * 86_400_000;
    const result = {
      screenshots: await this.pruneFolder(this.layout.screenshots, before),
      temporary: await this.pruneFolder(this.layout.tmp, before),
      reports: await this.pruneFolder(this.layout.reportsDir, before, (name) =>
        /^daily_\d{4}-\d{2}-\d{2}\.(md|json|html)$/.test(name),
      ),
    };
    if (result.screenshots + result.temporary + result.reports > 0)
      this.log.info({ ...result, retentionDays: this.retentionDays }, 'Pruned files older than the retention');
    return result;
  }

  private async pruneFolder(
    dir: string,
    before: number,
    keep: (name: string) => boolean = () => true,
  ): Promise<number> {
    let removed = 0;
    for (const file of await this.storage.listFiles(dir)) {
      if (!keep(fileName(file))) continue;
      const stat = await this.storage.stat(file);
      if (stat && stat.mtimeMs < before) {
        await this.storage.remove(file);
        removed += 1;
      }
    }
    return removed;
  }
}

import path from 'node:path';
import { describeError } from '../core/errors.js';
import { toRelative, type Layout } from '../core/layout.js';
import type { Logger } from '../logger.js';
import type { CounterRepository } from '../repositories/counter.repository.js';
import type { CreativeRepository } from '../repositories/creative.repository.js';
import type { StorageRepository } from '../repositories/storage.repository.js';
import { archiveRecord, batchFolderName } from '../stages/archive.js';
import { localDate } from '../stages/set-aside.js';

/**
 * Archives uploaded creatives: every creative that finished uploading since the last run goes into
 * one new `archive/batch_{NNN}-{date}/`. The batch is recorded on each creative before anything
 * moves, so a restart finishes the same batch rather than starting another.
 */
export class ArchiveService {
  constructor(
    private readonly creatives: CreativeRepository,
    private readonly counters: CounterRepository,
    private readonly storage: StorageRepository,
    private readonly layout: Layout,
    private readonly log: Logger,
  ) {}

  /** Returns the number of creatives archived. */
  async run(): Promise<number> {
    const uploaded = [];
    for (const key of [...this.creatives.index.keys()]) {
      if (this.creatives.index.entry(key)?.state !== 'uploaded') continue;
      const record = await this.creatives.load(key);
      if (record) uploaded.push(record);
    }
    const unplanned = uploaded.filter((record) => !record.archive);
    if (unplanned.length > 0) {
      const batch = await this.counters.nextArchiveBatch();
      const dir = toRelative(this.layout, path.join(this.layout.archive, batchFolderName(batch, localDate())));
      for (const record of unplanned) this.creatives.put({ ...record, archive: { batch, dir } });
      await this.creatives.flush();
    }
    let archived = 0;
    const batches = new Set<string>();
    for (const { key } of uploaded) {
      const record = await this.creatives.load(key);
      if (!record?.archive) continue;
      batches.add(record.archive.dir);
      try {
        await this.creatives.commit(await archiveRecord(record, this.layout, this.storage));
        archived += 1;
      } catch (error) {
        this.log.error({ file: record.source.path, err: error }, `Could not archive: ${describeError(error)}. The next run tries again.`);
      }
    }
    if (archived > 0) this.log.info({ archived, batches: [...batches] }, 'Archived uploaded creatives');
    return archived;
  }
}

import { localDate } from '../core/dates.js';
import { describeError } from '../core/errors.js';
import type { ActivityBus } from '../core/events.js';
import type { Layout } from '../core/layout.js';
import type { ArchivedBatch } from '../core/outcomes.js';
import type { Logger } from '../core/logger.js';
import type { RunStateRepository } from '../store/run-state.repository.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { archiveRecord, archiveRejected } from './archive-moves.js';

/**
 * Archives uploaded creatives: every creative that finished uploading since the last run goes into
 * one new `archive/batch_{NNN}-{date}/`. The batch is recorded on each creative before anything
 * moves, so a restart finishes the same batch rather than starting another.
 */
export class ArchiveService {
  constructor(
    private readonly creatives: CreativeRepository,
    private readonly runState: Pick<RunStateRepository, 'nextArchiveBatch'>,
    private readonly storage: StorageRepository,
    private readonly layout: Layout,
    private readonly events: ActivityBus,
    private readonly log: Logger,
  ) {}

  /** Archives what is uploaded; returns each batch touched with its creatives, as archived. */
  async run(): Promise<ArchivedBatch[]> {
    const uploaded = this.creatives.index.keysInState('uploaded');
    const unplanned: string[] = [];
    for (const key of uploaded) if (!(await this.creatives.load(key))?.archive) unplanned.push(key);
    if (unplanned.length > 0) {
      const batch = await this.runState.nextArchiveBatch();
      const dir = this.layout.rel(this.layout.archiveBatchDir(batch, localDate()));
      for (const key of unplanned) {
        // Read and changed together: a record read earlier may have left memory since.
        const record = await this.creatives.load(key);
        if (record) this.creatives.put({ ...record, archive: { batch, dir } });
      }
      await this.creatives.flush();
    }
    const batches = new Map<number, ArchivedBatch>();
    for (const key of uploaded) {
      const record = await this.creatives.load(key);
      if (!record?.archive) continue;
      try {
        const archived = await archiveRecord(record, this.layout, this.storage);
        await this.creatives.commit(archived);
        this.events.emit('creative', archived, `archived in ${record.archive.dir}`);
        const batch = batches.get(record.archive.batch) ?? { batch: record.archive.batch, dir: record.archive.dir, records: [] };
        batch.records.push(archived);
        batches.set(batch.batch, batch);
      } catch (error) {
        this.log.error({ file: record.source.path, err: error }, `Could not archive: ${describeError(error)}. The next run tries again.`);
      }
    }
    for (const batch of batches.values()) this.log.info({ archived: batch.records.length, dir: batch.dir }, 'Archived uploaded creatives');
    await this.archiveRejected();
    return [...batches.values()];
  }

  /** Creatives TJ refused: their files leave uploaded/ for archive/rejected/{date}/, reasons beside them. */
  private async archiveRejected(): Promise<void> {
    // Most rejected records never reached uploaded/ (bad input): the index says which did, unread.
    for (const key of this.creatives.index.keysInState('rejected')) {
      if (!this.creatives.index.entry(key)?.inUploaded) continue;
      const record = await this.creatives.load(key);
      if (!record) continue;
      try {
        let planned = record;
        if (!planned.archive) {
          planned = { ...record, archive: { batch: 0, dir: this.layout.rel(this.layout.setAsideDir('rejected', localDate())) } };
          await this.creatives.commit(planned);
        }
        const moved = await archiveRejected(planned, this.layout, this.storage);
        await this.creatives.commit(moved);
        this.events.emit('creative', moved, `moved to ${planned.archive?.dir}`);
        this.log.info({ file: record.source.path, dir: planned.archive?.dir }, 'Moved a creative TJ refused to the rejected archive');
      } catch (error) {
        this.log.error({ file: record.source.path, err: error }, `Could not archive: ${describeError(error)}. The next run tries again.`);
      }
    }
  }
}

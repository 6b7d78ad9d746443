import path from 'node:path';
import { localDate, localStamp } from '../core/dates.js';
import { describeError } from '../core/errors.js';
import type { ActivityBus } from '../core/events.js';
import type { Layout } from '../core/layout.js';
import type { ArchivedBatch } from '../core/outcomes.js';
import type { CreativeRecord } from '../core/record.js';
import type { Logger } from '../core/logger.js';
import type { OpenBatch, RunStateRepository } from '../store/run-state.repository.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { archiveRecord, archiveRejected } from './archive-moves.js';

/** What archiving is made from. */
export interface ArchiveDeps {
  readonly creatives: CreativeRepository;
  readonly runState: Pick<RunStateRepository, 'openArchiveBatch' | 'openBatches' | 'batchCsvsWritten'>;
  readonly storage: StorageRepository;
  readonly layout: Layout;
  readonly events: ActivityBus;
  readonly log: Logger;
}

/**
 * Archives uploaded creatives: every creative that finished uploading since the last run goes into
 * one new `archive/batch_{NNN}-{date}/`. The batch is recorded before anything moves, so a restart
 * finishes the same batch rather than starting another; it stays open in the run state until its
 * campaign CSVs are written, so a crash between the moves and the CSVs loses neither.
 */
export class ArchiveService {
  constructor(private readonly deps: ArchiveDeps) {}

  /**
   * Archives what is uploaded. Creatives not yet in a batch get a new one, opened in the run state
   * (with their keys) before anything moves; then every planned creative is moved.
   */
  async run(): Promise<void> {
    const uploaded = this.deps.creatives.index.keysInState('uploaded');
    const unplanned: string[] = [];
    // The index says uploaded; the record loaded says for sure (an index from a summary could be ahead of its segment).
    const isUploaded = (record: CreativeRecord | undefined): record is CreativeRecord => record?.state === 'uploaded';
    for (const key of uploaded) {
      const record = await this.deps.creatives.load(key);
      if (isUploaded(record) && !record.archive) unplanned.push(key);
    }
    if (unplanned.length > 0) {
      const batch = await this.deps.runState.openArchiveBatch(
        (number) => this.deps.layout.rel(this.deps.layout.archiveBatchDir(number, localDate())),
        localStamp(),
        unplanned,
      );
      for (const key of unplanned) {
        // Read and changed together: a record read earlier may have left memory since.
        const record = await this.deps.creatives.load(key);
        if (isUploaded(record)) this.deps.creatives.put({ ...record, archive: { batch: batch.batch, dir: batch.dir } });
      }
      await this.deps.creatives.flush();
    }
    const moved = new Map<string, number>();
    for (const key of uploaded) {
      const record = await this.deps.creatives.load(key);
      if (!isUploaded(record) || !record.archive) continue;
      try {
        const archived = await archiveRecord(record, this.deps.layout, this.deps.storage);
        await this.deps.creatives.commit(archived);
        this.deps.events.emit('creative', archived, `archived in ${record.archive.dir}`);
        moved.set(record.archive.dir, (moved.get(record.archive.dir) ?? 0) + 1);
      } catch (error) {
        this.deps.log.error(
          { file: record.source.path, err: error },
          `Could not archive: ${describeError(error)}. The next run tries again.`,
        );
      }
    }
    for (const [dir, archived] of moved) this.deps.log.info({ archived, dir }, 'Archived uploaded creatives');
    await this.archiveRejected();
  }

  /**
   * Removes what a crash left of moves under way: temporary files in the archive folders planned for
   * creatives still in `uploaded/`, and in the folders a file still in `inbox/` was being set aside
   * to. Files reach `archive/` only by those moves, so the rest of it, a year of folders, need not
   * be walked.
   */
  async removeStaleTemps(): Promise<void> {
    const dirs = new Set<string>();
    for (const state of ['uploaded', 'rejected', 'failed'] as const) {
      for (const key of this.deps.creatives.index.keysInState(state)) {
        if (!this.deps.creatives.index.entry(key)?.inUploaded) continue;
        const dir = (await this.deps.creatives.load(key))?.archive?.dir;
        if (dir) dirs.add(this.deps.layout.abs(dir));
      }
    }
    // A set-aside move is planned on a record whose source is still in inbox/: those are in memory.
    for (const key of this.deps.creatives.index.activeKeys()) {
      const aside = this.deps.creatives.get(key)?.setAside?.path;
      if (aside) dirs.add(path.dirname(this.deps.layout.abs(aside)));
    }
    for (const dir of dirs) await this.deps.storage.removeStaleTemps(dir);
  }

  /** Batches whose campaign CSVs are still to be written, and their state. */
  openBatches(): OpenBatch[] {
    return this.deps.runState.openBatches();
  }

  /** A batch's creatives, once every one planned into it is archived; undefined while some still wait. */
  async completed(batch: OpenBatch): Promise<ArchivedBatch | undefined> {
    const records: CreativeRecord[] = [];
    for (const key of batch.keys) {
      const record = await this.deps.creatives.load(key);
      if (record?.archive?.batch !== batch.batch) continue;
      if (record.state !== 'archived') return undefined;
      records.push(record);
    }
    return { batch: batch.batch, dir: batch.dir, stamp: batch.stamp, records };
  }

  /** Records that a batch's CSVs are written; placeholder ones stay open to be written again. */
  async csvsWritten(batch: number, outcome: Parameters<RunStateRepository['batchCsvsWritten']>[1]): Promise<void> {
    await this.deps.runState.batchCsvsWritten(batch, outcome);
  }

  /** Creatives TJ refused: their files leave uploaded/ for archive/rejected/{date}/, reasons beside them. */
  private async archiveRejected(): Promise<void> {
    // Most rejected records never reached uploaded/ (bad input): the index says which did, unread.
    for (const key of this.deps.creatives.index.keysInState('rejected')) {
      if (!this.deps.creatives.index.entry(key)?.inUploaded) continue;
      const record = await this.deps.creatives.load(key);
      if (!record) continue;
      try {
        let planned = record;
        if (!planned.archive) {
          planned = {
            ...record,
            archive: { batch: 0, dir: this.deps.layout.rel(this.deps.layout.setAsideDir('rejected', localDate())) },
          };
          await this.deps.creatives.commit(planned);
        }
        const moved = await archiveRejected(planned, this.deps.layout, this.deps.storage);
        await this.deps.creatives.commit(moved);
        this.deps.events.emit('creative', moved, `moved to ${planned.archive?.dir}`);
        this.deps.log.info(
          { file: record.source.path, dir: planned.archive?.dir },
          'Moved a creative TJ refused to the rejected archive',
        );
      } catch (error) {
        this.deps.log.error(
          { file: record.source.path, err: error },
          `Could not archive: ${describeError(error)}. The next run tries again.`,
        );
      }
    }
  }
}

import { createHash } from 'node:crypto';
import path from 'node:path';
import { Low } from 'lowdb';
import type { RootPath } from '../core/layout.js';
import { DurableJsonFile } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

/** Where an archive batch's campaign CSVs stand. */
export type BatchCsvs =
  /** Not written yet: the batch is being archived, or a crash came before its CSVs. */
  | 'pending'
  /** Written with placeholder settings, under `_NOT_READY` names; written again once the settings are real. */
  | 'not-ready';

/** An archive batch whose campaign CSVs are still to be written (again). */
export interface OpenBatch {
  readonly batch: number;
  readonly dir: RootPath;
  /** When it was opened (YYYYMMDD_HHMMSS): its CSVs' names carry it, so a rewrite replaces them. */
  readonly stamp: string;
  /** The creatives planned into it, recorded before any of them moves. */
  readonly keys: readonly string[];
  readonly csvs: BatchCsvs;
  /** The `_NOT_READY` files written so far, replaced once the settings are real. */
  readonly files: readonly string[];
  /** The settings still at a placeholder when they were written. */
  readonly missing: readonly string[];
}

interface RunState {
  /** The last archive batch number handed out. */
  archiveBatch: number;
  /** Fingerprint of the last dry-run plan reported, so an unchanged one is not reported again. */
  dryRunPlan: string;
  /** Batches whose CSVs are not written for good, by number; a batch leaves once they are. */
  openBatches?: Record<string, OpenBatch>;
}

/** Small facts that must survive a restart: counters that are never reused, and work not yet finished. */
export class RunStateRepository {
  private constructor(private readonly db: Low<RunState>) {}

  static async open(dir: string, storage: StorageRepository): Promise<RunStateRepository> {
    const db = new Low<RunState>(new DurableJsonFile<RunState>(path.join(dir, 'run-state.json'), storage), {
      archiveBatch: 0,
      dryRunPlan: '',
    });
    await db.read();
    return new RunStateRepository(db);
  }

  /** Opens the next archive batch for these creatives, on disk before it is returned: numbers are never reused. */
  async openArchiveBatch(dir: (batch: number) => RootPath, stamp: string, keys: readonly string[]): Promise<OpenBatch> {
    this.db.data.archiveBatch += 1;
    const batch: OpenBatch = {
      batch: this.db.data.archiveBatch,
      dir: dir(this.db.data.archiveBatch),
      stamp,
      keys: [...keys],
      csvs: 'pending',
      files: [],
      missing: [],
    };
    this.db.data.openBatches = { ...this.db.data.openBatches, [batch.batch]: batch };
    await this.db.write();
    return batch;
  }

  /** Batches whose CSVs are still to be written, oldest first. */
  openBatches(): OpenBatch[] {
    return Object.values(this.db.data.openBatches ?? {}).sort((a, b) => a.batch - b.batch);
  }

  /** Records that a batch's CSVs are written: for good (the batch closes), or with placeholders. */
  async batchCsvsWritten(
    batch: number,
    outcome: { ready: true } | { ready: false; files: readonly string[]; missing: readonly string[] },
  ): Promise<void> {
    const open = { ...this.db.data.openBatches };
    const current = open[batch];
    if (!current) return;
    if (outcome.ready) delete open[batch];
    else open[batch] = { ...current, csvs: 'not-ready', files: [...outcome.files], missing: [...outcome.missing] };
    this.db.data.openBatches = open;
    await this.db.write();
  }

  /** Records a dry-run plan; true when it differs from the last one recorded. */
  async dryRunPlanChanged(paths: readonly string[]): Promise<boolean> {
    const fingerprint = createHash('sha256').update(paths.join('\n')).digest('hex');
    if (fingerprint === this.db.data.dryRunPlan) return false;
    this.db.data.dryRunPlan = fingerprint;
    await this.db.write();
    return true;
  }
}

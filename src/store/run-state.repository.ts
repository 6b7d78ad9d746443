import { createHash } from 'node:crypto';
import path from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

interface RunState {
  /** The last archive batch number handed out. */
  archiveBatch: number;
  /** Fingerprint of the last dry-run plan reported, so an unchanged one is not reported again. */
  dryRunPlan: string;
}

/** Small facts that must survive a restart: counters that are never reused, and what was last reported. */
export class RunStateRepository {
  private constructor(private readonly db: Low<RunState>) {}

  static async open(dir: string, storage: StorageRepository): Promise<RunStateRepository> {
    const db = new Low<RunState>(new DurableJsonFile<RunState>(path.join(dir, 'run-state.json'), storage), { archiveBatch: 0, dryRunPlan: '' });
    await db.read();
    return new RunStateRepository(db);
  }

  /** The next archive batch number, on disk before it is returned. */
  async nextArchiveBatch(): Promise<number> {
    this.db.data.archiveBatch += 1;
    await this.db.write();
    return this.db.data.archiveBatch;
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

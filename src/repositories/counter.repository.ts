import path from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

interface Counters {
  archiveBatch: number;
}

/** Numbers that count up and are never handed out twice, even across a crash. */
export class CounterRepository {
  private constructor(private readonly db: Low<Counters>) {}

  static async open(dir: string, storage: StorageRepository): Promise<CounterRepository> {
    const db = new Low<Counters>(new DurableJsonFile<Counters>(path.join(dir, 'counters.json'), storage), { archiveBatch: 0 });
    await db.read();
    return new CounterRepository(db);
  }

  /** The next archive batch number, on disk before it is returned. */
  async nextArchiveBatch(): Promise<number> {
    this.db.data.archiveBatch += 1;
    await this.db.write();
    return this.db.data.archiveBatch;
  }
}

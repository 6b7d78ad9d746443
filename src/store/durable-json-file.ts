import type { Adapter } from 'lowdb';
import { CreativeFlowError } from '../core/errors.js';
import type { StorageRepository } from './storage.repository.js';

export class DatabaseFileError extends CreativeFlowError {}

/**
 * lowdb's JSON file adapter, with the fsync that lowdb's own leaves out: the temp file and its folder
 * are flushed before and after the rename, so a power cut leaves the old or the new file.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
  ) {}

  async read(): Promise<T | null> {
    const text = await this.storage.readText(this.file);
    if (text === undefined) return null;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new DatabaseFileError(`Database file ${this.file} is not valid JSON`, {
        hint: 'It was damaged outside creative-flow (disk or manual edit); restore it from a backup, or move it away to rebuild that part from inbox/.',
        cause: error,
      });
    }
  }

  async write(data: T): Promise<void> {
    await this.storage.writeFileAtomic(this.file, JSON.stringify(data));
  }
}

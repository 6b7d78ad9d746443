import type { Adapter } from 'lowdb';
import { CreativeFlowError } from '../core/errors.js';
import { SerialByKey } from '../core/serial.js';
import type { StorageRepository } from './storage.repository.js';

export class DatabaseFileError extends CreativeFlowError {}

/** A database file or folder that exists but cannot be read: said plainly, never taken as empty. */
export function unreadable(target: string, error: unknown): DatabaseFileError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new DatabaseFileError(`The database at ${target} cannot be read (${code})`, {
    hint: 'Check that it is a folder of files this user can read and write. creative-flow stops rather than start an empty database on top of a library.',
    cause: error,
  });
}

/** A database file whose bytes do not parse: damaged outside creative-flow, never taken as empty. */
export function notValidJson(file: string, error: unknown): DatabaseFileError {
  return new DatabaseFileError(`Database file ${file} is not valid JSON`, {
    hint: 'It was damaged outside creative-flow (disk or manual edit); restore it from a backup, or move it away to rebuild that part from inbox/.',
    cause: error,
  });
}

/** The writes of each file, across every adapter of it: the next one waits for those before it. */
const writing = new SerialByKey<string>();

/**
 * Runs a write of `file` after the writes of it asked for before, whichever adapter asked: two
 * renames racing could leave the older data last, and an append racing a rename would go to the
 * file being replaced.
 */
export async function inTurn(file: string, write: () => Promise<void>): Promise<void> {
  await writing.run(file, write);
}

/**
 * lowdb's JSON file adapter, with the fsync that lowdb's own leaves out: the temp file and its folder
 * are flushed before and after the rename, so a power cut leaves the old or the new file. Writes
 * to one file go one at a time, in the order they were asked for, as lowdb's own adapter does:
 * two renames racing could otherwise leave the older data last.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
  ) {}

  async read(): Promise<T | null> {
    let text: string | undefined;
    try {
      text = await this.storage.readText(this.file);
    } catch (error) {
      throw unreadable(this.file, error);
    }
    if (text === undefined) return null;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw notValidJson(this.file, error);
    }
  }

  async write(data: T): Promise<void> {
    // The data as it is now: it may change while the writes before this one finish.
    const text = JSON.stringify(data);
    await inTurn(this.file, () => this.storage.writeFileAtomic(this.file, text));
  }
}

import { DatabaseFileError } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

/**
 * Changes appended to a JSON-lines file beside a lowdb file, so that saving a few changes costs a
 * few lines, not a rewrite of the whole file. Its first line names the epoch of the file it
 * follows: after that file is rewritten (with a new epoch) the old lines no longer apply, even
 * when a crash left them behind.
 */
export class JournalFile<T> {
  /** Lines of changes it holds now. */
  length = 0;
  /** The last read found a last line cut short: what it holds is whole only once the file it follows is rewritten. */
  torn = false;
  /** The epoch the file on disk starts with, when it is whole after it: appends may follow. */
  private follows: string | undefined;

  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
  ) {}

  /** The changes that follow the file of this epoch, oldest first. A last line cut short by a crash is dropped. */
  async read(epoch: string | undefined): Promise<T[]> {
    const text = (await this.storage.readText(this.file)) ?? '';
    const lines = text.split('\n');
    // Only what ends in a line break was written whole.
    this.torn = lines.pop() !== '';
    this.follows = undefined;
    if (epoch === undefined || lines.shift() !== JSON.stringify({ epoch })) {
      this.length = 0;
      return [];
    }
    if (!this.torn) this.follows = epoch;
    let changes: T[];
    try {
      changes = lines.map((line) => JSON.parse(line) as T);
    } catch (error) {
      throw new DatabaseFileError(`Database file ${this.file} is damaged`, {
        hint: 'It was changed outside creative-flow (disk or manual edit); move it away, and the changes it held are read again from the platform by `creative-flow refresh-library`.',
        cause: error,
      });
    }
    this.length = changes.length;
    return changes;
  }

  /**
   * Appends changes to the file of this epoch, on disk before it returns. A journal that does not
   * follow that file (missing, of an older epoch after a crash, cut short) is started again with them.
   */
  async append(changes: readonly T[], epoch: string): Promise<void> {
    if (changes.length === 0) return;
    const lines = changes.map((change) => `${JSON.stringify(change)}\n`).join('');
    if (this.follows === epoch) {
      await this.storage.appendDurable(this.file, lines);
      this.length += changes.length;
      return;
    }
    await this.storage.writeFileAtomic(this.file, `${JSON.stringify({ epoch })}\n${lines}`);
    this.follows = epoch;
    this.torn = false;
    this.length = changes.length;
  }

  /** Starts it again, empty, after the file of this epoch. */
  async reset(epoch: string): Promise<void> {
    await this.storage.writeFileAtomic(this.file, `${JSON.stringify({ epoch })}\n`);
    this.follows = epoch;
    this.torn = false;
    this.length = 0;
  }
}

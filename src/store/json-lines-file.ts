import type { Adapter } from 'lowdb';
import { DatabaseFileError, unreadable } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

/** Entries by key, and the epoch of the version written (for a journal that follows it). */
export interface KeyedData<E> {
  epoch?: string;
  entries: Record<string, E>;
}

const ENTRIES_PER_WRITE = 1_000;

/**
 * A lowdb adapter that keeps entries one per line, after a first line holding the epoch: read a
 * line at a time and written a chunk at a time, so a large map (a library cache of 200k creatives)
 * is never one string in memory, as lowdb's JSON file would make it. Written atomically and
 * durably. A file in the older shape (the whole map as one JSON object) is read as it is.
 */
export class JsonLinesFile<E> implements Adapter<KeyedData<E>> {
  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
    private readonly keyOf: (entry: E) => string,
  ) {}

  async read(): Promise<KeyedData<E> | null> {
    let data: KeyedData<E> | null = null;
    let lineNumber = 0;
    try {
      for await (const batch of this.storage.readLines(this.file)) {
        let start = 0;
        if (data === null) {
          while (start < batch.length && batch[start] === '') start += 1;
          if (start === batch.length) {
            lineNumber += batch.length;
            continue;
          }
          const head = this.parse([batch[start] ?? ''], lineNumber + start)[0] as Partial<KeyedData<E>>;
          // The older shape: one object, entries and all, on one line.
          if (head.entries)
            return { ...(head.epoch === undefined ? {} : { epoch: head.epoch }), entries: head.entries };
          data = { ...(head.epoch === undefined ? {} : { epoch: head.epoch }), entries: {} };
          start += 1;
        }
        if (start < batch.length)
          for (const entry of this.parse(batch.slice(start), lineNumber + start) as E[])
            data.entries[this.keyOf(entry)] = entry;
        lineNumber += batch.length;
      }
    } catch (error) {
      throw error instanceof DatabaseFileError ? error : unreadable(this.file, error);
    }
    return data;
  }

  /** Lines after `before` others, parsed as one array (a parse per line costs twice as much); a damaged one is named. */
  private parse(lines: readonly string[], before: number): unknown[] {
    try {
      return JSON.parse(`[${lines.join(',')}]`) as unknown[];
    } catch {
      const bad = lines.findIndex((line) => {
        try {
          JSON.parse(line);
          return false;
        } catch {
          return true;
        }
      });
      throw new DatabaseFileError(`Database file ${this.file} is not valid JSON at line ${before + bad + 1}`, {
        hint: 'It was damaged outside creative-flow (disk or manual edit); move it away, and `creative-flow refresh-library` reads the library from the platform again.',
      });
    }
  }

  async write(data: KeyedData<E>): Promise<void> {
    await this.storage.writeFileAtomicFrom(this.file, async (append) => {
      await append(`${JSON.stringify(data.epoch === undefined ? {} : { epoch: data.epoch })}\n`);
      let chunk = '';
      let inChunk = 0;
      for (const entry of Object.values(data.entries)) {
        chunk += `${JSON.stringify(entry)}\n`;
        inChunk += 1;
        if (inChunk === ENTRIES_PER_WRITE) {
          await append(chunk);
          chunk = '';
          inChunk = 0;
        }
      }
      await append(chunk);
    });
  }
}

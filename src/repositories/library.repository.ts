import path from 'node:path';
import { Low } from 'lowdb';
import type { LibraryCard } from '../uploaders/uploader.js';
import { DurableJsonFile } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

/** What we know of one creative on the platform, by its name (without extension). */
export interface LibraryEntry extends Omit<LibraryCard, 'name' | 'target'> {
  readonly creativeType: string;
  readonly uploadDate: string;
}

interface LibraryData {
  entries: Record<string, LibraryEntry>;
}

/**
 * The library cache: the platform's creatives by name, checked before an upload so a known name
 * is not sent again, and so a batch need not read every page of the platform's library.
 */
export class LibraryRepository {
  private constructor(private readonly db: Low<LibraryData>) {}

  static async open(dir: string, storage: StorageRepository): Promise<LibraryRepository> {
    const db = new Low<LibraryData>(new DurableJsonFile<LibraryData>(path.join(dir, 'library.json'), storage), { entries: {} });
    await db.read();
    return new LibraryRepository(db);
  }

  get size(): number {
    return Object.keys(this.db.data.entries).length;
  }

  get(name: string): LibraryEntry | undefined {
    return this.db.data.entries[stripExtension(name)];
  }

  set(name: string, entry: LibraryEntry): void {
    this.db.data.entries[stripExtension(name)] = entry;
  }

  entries(): [string, LibraryEntry][] {
    return Object.entries(this.db.data.entries);
  }

  async save(): Promise<void> {
    await this.db.write();
  }
}

/** Names compare without extension: TJ shows `name`, we write `name.mp4`. */
export function stripExtension(name: string): string {
  return name.replace(/\.(mp4|mov|webm|png|jpe?g|gif)$/i, '');
}

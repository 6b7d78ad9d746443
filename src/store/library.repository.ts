import { randomUUID } from 'node:crypto';
import { Low } from 'lowdb';
import type { ActivityBus } from '../core/events.js';
import { baseName } from '../core/files.js';
import { Serial } from '../core/serial.js';
import { compareCreativeIds, type LibraryEntry } from '../core/platform.js';
import { JournalFile } from './journal-file.js';
import { JsonLinesFile, type KeyedData } from './json-lines-file.js';
import type { StorageRepository } from './storage.repository.js';

interface StoredEntry extends LibraryEntry {
  /** As the platform shows it: without extension. */
  readonly name: string;
}

/** By creative id: TJ's own export has different creatives under one name. The epoch names this version of the file: the journal's lines follow one epoch. */
type LibraryData = KeyedData<StoredEntry>;

/** Journal lines beyond this share of the entries (and a floor) are folded into the file. */
const JOURNAL_SHARE = 0.25;
const JOURNAL_FLOOR = 1_000;

/**
 * The library cache of one platform: its creatives, checked before an upload so a known name is
 * not sent again, and so a batch need not read every page of the platform's library. A save
 * appends the entries that changed to a journal beside the file, so it costs what changed, not
 * the library; the journal is folded into the file once it holds a quarter as many lines.
 */
export class LibraryRepository {
  /** Name → id of the newest creative of that name. */
  private readonly idByName = new Map<string, string>();
  /** Bumped by every change: a save, or an export, with nothing new is skipped. */
  private changes = 0;
  private savedAt = 0;
  /** Ids changed since the last save, for the journal. */
  private readonly unsaved = new Set<string>();
  /** An entry went (a full listing replaced the cache): only a rewrite of the file says so. */
  private rewriteNeeded = false;
  private readonly saves = new Serial();
  /** Entries held: counted, as every save asks (the keys of 200k entries are not). */
  private count = 0;
  private constructor(
    private readonly db: Low<LibraryData>,
    private readonly journal: JournalFile<StoredEntry>,
    /** The files it is kept in: the cache and its journal. */
    readonly files: readonly string[],
    /** Told the name of every creative whose entry changed (or went), as `libraryChanged`: for copies made from the cache. */
    private readonly events: Pick<ActivityBus, 'emit'> | undefined,
  ) {
    for (const entry of Object.values(db.data.entries)) this.indexName(entry);
    this.count = Object.keys(db.data.entries).length;
  }

  /** `file`: the platform's cache, from `Layout.libraryCacheFile`; its journal is beside it. */
  static async open(
    file: string,
    storage: StorageRepository,
    events?: Pick<ActivityBus, 'emit'>,
  ): Promise<LibraryRepository> {
    const db = new Low<LibraryData>(new JsonLinesFile<StoredEntry>(file, storage, (entry) => entry.creativeId), {
      entries: {},
    });
    await db.read();
    const journalFile = `${file}.journal`;
    const journal = new JournalFile<StoredEntry>(journalFile, storage);
    for (const entry of await journal.read(db.data.epoch)) db.data.entries[entry.creativeId] = entry;
    const library = new LibraryRepository(db, journal, [file, journalFile], events);
    // A journal cut short by a crash holds whole lines before the cut: the next save folds them into the file.
    if (journal.torn) library.rewriteNeeded = true;
    return library;
  }

  get size(): number {
    return this.count;
  }

  /** The newest creative of this name (with or without extension). */
  get(name: string): LibraryEntry | undefined {
    const id = this.idByName.get(displayName(name));
    return id === undefined ? undefined : this.db.data.entries[id];
  }

  byId(creativeId: string): LibraryEntry | undefined {
    return this.db.data.entries[creativeId];
  }

  set(name: string, entry: LibraryEntry): void {
    const stored: StoredEntry = { ...entry, name: displayName(name) };
    const before = this.db.data.entries[entry.creativeId];
    if (!before) this.count += 1;
    if (before && sameEntry(before, stored)) return;
    this.changes += 1;
    this.db.data.entries[entry.creativeId] = stored;
    this.unsaved.add(entry.creativeId);
    this.indexName(stored);
    this.events?.emit('libraryChanged', stored.name);
    if (before && before.name !== stored.name) this.events?.emit('libraryChanged', before.name);
  }

  /** Replaces every entry: the library as the platform lists it now. */
  replaceAll(entries: Iterable<[string, LibraryEntry]>): void {
    // Each listed entry as any change (told, and saved, only when it differs); then what the listing lacks goes.
    const listed = new Set<string>();
    for (const [name, entry] of entries) {
      this.set(name, entry);
      listed.add(entry.creativeId);
    }
    const gone = Object.values(this.db.data.entries).filter((entry) => !listed.has(entry.creativeId));
    if (gone.length === 0) return;
    for (const entry of gone) delete this.db.data.entries[entry.creativeId];
    this.count -= gone.length;
    this.changes += 1;
    // A journal can add entries, not take them away: the file is written whole at the next save.
    this.rewriteNeeded = true;
    this.idByName.clear();
    for (const entry of Object.values(this.db.data.entries)) this.indexName(entry);
    for (const entry of gone) this.events?.emit('libraryChanged', entry.name);
  }

  /** The name a creative id has in the cache. */
  nameOf(creativeId: string): string | undefined {
    return this.db.data.entries[creativeId]?.name;
  }

  /** Every creative, as [name, entry]; one name may appear more than once. */
  entries(): [string, LibraryEntry][] {
    // The stored entries themselves, not copies: at 200k creatives a copy each is tens of megabytes.
    return Object.values(this.db.data.entries).map((entry) => [entry.name, entry]);
  }

  /** How many changes it has seen: what was written from it is stale when this moved. */
  get generation(): number {
    return this.changes;
  }

  /**
   * Saves what changed since the last save: a few lines on the journal, or the whole file when the
   * journal grew long, an entry went, or the file is not there yet. Nothing changed, nothing written.
   */
  save(): Promise<void> {
    // One save at a time: a journal line appended after a rewrite would replay older data over it.
    return this.saves.run(() => this.saveNow());
  }

  private async saveNow(): Promise<void> {
    if (this.changes === this.savedAt && this.changes > 0) return;
    const generation = this.changes;
    const ids = [...this.unsaved];
    this.unsaved.clear();
    try {
      const entries = ids.flatMap((id) => this.db.data.entries[id] ?? []);
      if (
        this.rewriteNeeded ||
        this.db.data.epoch === undefined ||
        this.journal.length + entries.length > Math.max(JOURNAL_FLOOR, this.size * JOURNAL_SHARE)
      ) {
        this.rewriteNeeded = false;
        // A new epoch first: the journal's old lines stop applying the moment the file is replaced.
        this.db.data.epoch = randomUUID();
        await this.db.write();
        await this.journal.reset(this.db.data.epoch);
      } else {
        await this.journal.append(entries, this.db.data.epoch);
      }
    } catch (error) {
      for (const id of ids) this.unsaved.add(id);
      this.rewriteNeeded = true;
      throw error;
    }
    this.savedAt = generation;
  }

  private indexName(entry: StoredEntry): void {
    const current = this.idByName.get(entry.name);
    // Ids grow over time on TJ: the larger id is the newer creative.
    if (current === undefined || compareCreativeIds(entry.creativeId, current) > 0)
      this.idByName.set(entry.name, entry.creativeId);
  }
}

function sameEntry(a: StoredEntry, b: StoredEntry): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key as keyof StoredEntry] === b[key as keyof StoredEntry]);
}

/**
 * Names compare without a media extension: TJ shows `name`, we write `name.mp4`. Names scraped from
 * TJ have none, and may hold dots of their own (`v1.2 final`), so only a media extension is dropped.
 */
function displayName(name: string): string {
  return /\.(mp4|mov|webm|png|jpe?g|gif)$/i.test(name) ? baseName(name) : name;
}

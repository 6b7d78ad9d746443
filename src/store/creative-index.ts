import type { CreativeRecord } from '../core/record.js';
import { INGEST_STATES, type State } from '../core/state.js';

/** What the index keeps of every record, loaded or not: enough for every look-up. */
export interface IndexEntry {
  readonly key: string;
  readonly state: State;
  readonly hash: string | undefined;
  readonly id: string | undefined;
  /** Some of its files still wait in `uploaded/` (staged, uploaded, or refused by TJ and not yet archived). */
  readonly inUploaded: boolean;
}

/** States whose record stands for its content: a later file with the same bytes duplicates it. */
const OWNS_CONTENT: ReadonlySet<State> = new Set(['probed', 'named', 'converted', 'staged', 'uploaded', 'archived']);

/**
 * Whether a record's source is still in `inbox/`: files in progress, and files that failed there.
 * A file whose upload failed for good waits in `uploaded/` instead.
 */
export function isActive(state: State, inUploaded: boolean): boolean {
  return INGEST_STATES.has(state) || (state === 'failed' && !inUploaded);
}

/** Whether a record stands for its content: so does a file whose upload failed, waiting in `uploaded/`. */
function ownsContent(entry: IndexEntry): boolean {
  return OWNS_CONTENT.has(entry.state) || (entry.state === 'failed' && entry.inUploaded);
}

const ID_IN_NAME = /_ID-([0-9A-Fa-f]{8})(?:-(?:VID|IMG))?(?:\.[A-Za-z0-9]+)?$/;

/**
 * Look-ups over every record, in memory, so none of them reads or scans the database files: by
 * content hash, by creative id, by name (through the id every name carries), and by source path
 * for files still in `inbox/`.
 */
export class CreativeIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private readonly keyByHash = new Map<string, string>();
  private readonly hashById = new Map<string, string>();
  private readonly keyById = new Map<string, string>();
  private readonly keyBySource = new Map<string, string>();
  private readonly sourceByKey = new Map<string, string>();
  private readonly keysByState = new Map<State, Set<string>>();

  get size(): number {
    return this.entries.size;
  }

  entry(key: string): IndexEntry | undefined {
    return this.entries.get(key);
  }

  /** The record that holds this content, if any holds it. */
  byHash(hash: string): IndexEntry | undefined {
    const key = this.keyByHash.get(hash);
    return key === undefined ? undefined : this.entries.get(key);
  }

  /** The content hash that owns a creative id. */
  hashOfId(id: string): string | undefined {
    return this.hashById.get(id);
  }

  /** The record of a name in the convention (with or without extension), as TJ shows it. */
  byName(name: string): IndexEntry | undefined {
    const id = ID_IN_NAME.exec(name)?.[1]?.toUpperCase();
    const key = id === undefined ? undefined : this.keyById.get(id);
    return key === undefined ? undefined : this.entries.get(key);
  }

  /** The key of the record of a file still in `inbox/` at this path. */
  keyOfSource(sourcePath: string): string | undefined {
    return this.keyBySource.get(sourcePath);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Keys of the records whose source is still in `inbox/` (in progress or failed). */
  activeKeys(): IterableIterator<string> {
    return this.sourceByKey.keys();
  }

  countsByState(): ReadonlyMap<State, number> {
    return new Map([...this.keysByState].map(([state, keys]) => [state, keys.size]));
  }

  /** Keys of the records in a state, without reading any of them. */
  keysInState(state: State): string[] {
    return [...(this.keysByState.get(state) ?? [])];
  }

  set(entry: IndexEntry, sourcePath?: string): void {
    const previous = this.entries.get(entry.key);
    if (previous) this.unindex(previous);
    this.entries.set(entry.key, entry);
    let inState = this.keysByState.get(entry.state);
    if (!inState) this.keysByState.set(entry.state, (inState = new Set()));
    inState.add(entry.key);
    if (entry.hash && ownsContent(entry) && !this.keyByHash.has(entry.hash)) this.keyByHash.set(entry.hash, entry.key);
    if (entry.hash && entry.id && !this.hashById.has(entry.id)) this.hashById.set(entry.id, entry.hash);
    if (entry.id && ownsContent(entry) && !this.keyById.has(entry.id)) this.keyById.set(entry.id, entry.key);
    if (sourcePath !== undefined && isActive(entry.state, entry.inUploaded)) {
      this.keyBySource.set(sourcePath, entry.key);
      this.sourceByKey.set(entry.key, sourcePath);
    }
  }

  private unindex(entry: IndexEntry): void {
    this.keysByState.get(entry.state)?.delete(entry.key);
    if (entry.hash && this.keyByHash.get(entry.hash) === entry.key) this.keyByHash.delete(entry.hash);
    if (entry.id && this.keyById.get(entry.id) === entry.key) this.keyById.delete(entry.id);
    const sourcePath = this.sourceByKey.get(entry.key);
    if (sourcePath !== undefined) {
      this.sourceByKey.delete(entry.key);
      if (this.keyBySource.get(sourcePath) === entry.key) this.keyBySource.delete(sourcePath);
    }
    // Ids stay reserved through hashById: a creative id, once given to a content, is never given to another.
  }
}

export function entryOf(record: CreativeRecord): IndexEntry {
  const inUploaded = (record.outputs ?? []).some((output) => output.path.startsWith('uploaded/'));
  return { key: record.key, state: record.state, hash: record.hash, id: record.naming?.id, inUploaded };
}

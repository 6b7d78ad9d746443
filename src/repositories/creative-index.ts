import path from 'node:path';
import type { CreativeRecord } from '../core/record.js';
import { INGEST_STATES, type State } from '../core/state.js';

/** States whose record stands for its content: a later file with the same bytes duplicates it. */
const OWNS_CONTENT: ReadonlySet<State> = new Set(['probed', 'named', 'converted', 'staged', 'uploaded', 'archived']);

/**
 * Look-ups over every record, kept in memory beside the database so that none of them reads or
 * scans the files: by content hash, by creative id, by source path in `inbox/`, and by output name.
 */
export class CreativeIndex {
  private readonly byKey = new Map<string, CreativeRecord>();
  private readonly keyByHash = new Map<string, string>();
  private readonly hashById = new Map<string, string>();
  private readonly keyBySource = new Map<string, string>();
  private readonly keyByName = new Map<string, string>();
  private readonly stateCounts = new Map<State, number>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): CreativeRecord | undefined {
    return this.byKey.get(key);
  }

  /** The record that holds this content, if any holds it. */
  byHash(hash: string): CreativeRecord | undefined {
    const key = this.keyByHash.get(hash);
    return key === undefined ? undefined : this.byKey.get(key);
  }

  /** The content hash that owns a creative id. */
  hashOfId(id: string): string | undefined {
    return this.hashById.get(id);
  }

  /** The record of a file that is still in `inbox/` at this path. */
  bySource(sourcePath: string): CreativeRecord | undefined {
    const key = this.keyBySource.get(sourcePath);
    return key === undefined ? undefined : this.byKey.get(key);
  }

  /** The record with an output of this name (compared without extension, as TJ shows names). */
  byName(name: string): CreativeRecord | undefined {
    const key = this.keyByName.get(stripExtension(name));
    return key === undefined ? undefined : this.byKey.get(key);
  }

  values(): IterableIterator<CreativeRecord> {
    return this.byKey.values();
  }

  countsByState(): ReadonlyMap<State, number> {
    return this.stateCounts;
  }

  set(record: CreativeRecord): void {
    const previous = this.byKey.get(record.key);
    if (previous) this.unindex(previous);
    this.byKey.set(record.key, record);
    this.stateCounts.set(record.state, (this.stateCounts.get(record.state) ?? 0) + 1);
    if (record.hash && OWNS_CONTENT.has(record.state) && !this.keyByHash.has(record.hash)) this.keyByHash.set(record.hash, record.key);
    if (record.hash && record.naming && !this.hashById.has(record.naming.id)) this.hashById.set(record.naming.id, record.hash);
    if (INGEST_STATES.has(record.state) || record.state === 'failed') this.keyBySource.set(record.source.path, record.key);
    for (const output of record.outputs ?? []) this.keyByName.set(stripExtension(path.posix.basename(output.path)), record.key);
  }

  private unindex(record: CreativeRecord): void {
    this.stateCounts.set(record.state, (this.stateCounts.get(record.state) ?? 1) - 1);
    if (record.hash && this.keyByHash.get(record.hash) === record.key) this.keyByHash.delete(record.hash);
    if (this.keyBySource.get(record.source.path) === record.key) this.keyBySource.delete(record.source.path);
    for (const output of record.outputs ?? []) {
      const name = stripExtension(path.posix.basename(output.path));
      if (this.keyByName.get(name) === record.key) this.keyByName.delete(name);
    }
    // Ids stay reserved: a creative id, once given to a content, is never given to another.
  }
}

function stripExtension(name: string): string {
  const ext = path.posix.extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Low } from 'lowdb';
import { upgradeRecord, type CreativeRecord } from '../core/record.js';
import { Serial } from '../core/serial.js';
import { assertTransition } from '../core/state.js';
import { CreativeIndex, entryOf, isActive } from './creative-index.js';
import { unreadable } from './durable-json-file.js';
import { mapLimited } from '../core/map-limited.js';
import { SegmentFile, type SegmentData } from './segment-file.js';
import {
  digestOf,
  entryOfRow,
  SummaryFiles,
  summaryOf,
  type SegmentDigest,
  type SegmentHead,
} from './segment-summary.js';
import type { StorageRepository } from './storage.repository.js';

/** A segment in memory: lowdb's handle on its file, and the file itself, which also takes appended lines. */
class Segment extends Low<SegmentData> {
  constructor(readonly file: SegmentFile) {
    super(file, { version: 0, records: {} });
  }
}

export interface CreativeRepositoryOptions {
  /**
   * Records per lowdb file. lowdb writes a whole file, so the library is split into files of this
   * size: a state change appends a line to one of them, which is written whole from time to time.
   */
  readonly segmentSize?: number;
  /** How long changes may wait to be written together when nobody waits on them. */
  readonly flushDelayMs?: number;
  /** Only reads: for `status` beside a running daemon, whose temporary files must be left alone. */
  readonly readOnly?: boolean;
}

const SEGMENT_FILE = /^creatives-(\d{4,})\.json$/;
/**
 * Lines a segment may hold beyond what its summary describes: start-up reads them after the summary.
 * Spread changes (a status sync) then write no summary; a segment changed often writes one now and then.
 */
const SUMMARY_LAG_BYTES = 16 * 1024;
/** Segments kept in memory beyond those that must be (unfinished records, unsaved changes, the newest). */
const SPARE_SEGMENTS = 16;

/**
 * Creative records in lowdb, one process only. Every record is in the in-memory index; whole
 * records are in memory for files still in progress, for the newest segment, and for segments
 * read on demand, so start-up time and memory follow the work in progress, not the library.
 */
export class CreativeRepository {
  readonly index = new CreativeIndex();
  private readonly loaded = new Map<number, Segment>();
  /** Segments with unsaved changes: the keys of the records changed, and whether it must be written whole. */
  private readonly dirty = new Map<number, { keys: Set<string>; whole: boolean }>();
  /** Each segment's version on disk, loaded or not: what a copy rendered from it can be checked against. */
  private readonly versions = new Map<number, number>();
  /** Each segment's digest, as its summary (or its records, when last in memory) gave it. */
  private readonly digests = new Map<number, SegmentDigest>();
  private nextSeq = 0;
  private queuedFlush: Promise<void> | undefined;
  /** The size of each segment file its summary on disk describes: lines beyond it are read at start-up. */
  private readonly summarisedBytes = new Map<number, number>();
  /** Flushes, one at a time. */
  private readonly writes = new Serial();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly segmentSize: number;
  private readonly flushDelayMs: number;
  private readonly summaries: SummaryFiles;

  private constructor(
    private readonly dir: string,
    private readonly storage: StorageRepository,
    options: CreativeRepositoryOptions,
  ) {
    this.segmentSize = options.segmentSize ?? 128;
    this.flushDelayMs = options.flushDelayMs ?? 20;
    this.summaries = new SummaryFiles(dir, storage);
  }

  static async open(
    dir: string,
    storage: StorageRepository,
    options: CreativeRepositoryOptions = {},
  ): Promise<CreativeRepository> {
    const repository = new CreativeRepository(dir, storage, options);
    let names: string[];
    try {
      if (!options.readOnly) {
        await storage.ensureDir(dir);
        await storage.removeStaleTemps(dir);
      }
      names = await storage.list(dir);
    } catch (error) {
      throw unreadable(dir, error);
    }
    const numbers = names
      .flatMap((name) => {
        const match = SEGMENT_FILE.exec(name);
        return match ? [Number(match[1])] : [];
      })
      .sort((a, b) => a - b);
    const newest = numbers.at(-1);
    const summaries = await mapLimited(numbers, 4, async (number) => {
      const file = repository.segmentPath(number);
      const readHead = (): Promise<SegmentHead | undefined> =>
        storage
          .readHeadAndSize(file, 64)
          .then(({ head, size }) => ({ file, head, size }))
          .catch(() => undefined);
      return repository.summaries.fresh(number, readHead);
    });
    for (const [i, number] of numbers.entries()) {
      const fresh = summaries[i];
      const summary = fresh?.summary;
      if (fresh && summary) {
        repository.versions.set(number, summary.version);
        repository.digests.set(number, summary.digest);
        repository.summarisedBytes.set(number, fresh.bytesOnDisk);
      }
      if (
        summary &&
        number !== newest &&
        !summary.rows.some(([, state, , , inUploaded]) => isActive(state, inUploaded === 1))
      ) {
        for (const row of summary.rows) repository.index.set(entryOfRow(row));
      } else {
        await repository.ensureLoaded(number, true);
        // A missing or stale summary (one of an older shape, after an upgrade) is written now, so
        // the segment can leave memory: a library of old summaries is not held whole.
        // One that cannot be written now (a full disk) is written with the segment, whole, at its next flush.
        if (!summary && !options.readOnly)
          await repository
            .writeSummary(number)
            .catch(() => repository.dirty.set(number, { keys: new Set(), whole: true }));
      }
      repository.nextSeq = (number + 1) * repository.segmentSize;
    }
    if (newest !== undefined) {
      const keys = Object.keys(repository.loaded.get(newest)?.data.records ?? {});
      repository.nextSeq = keys.reduce((next, key) => Math.max(next, seqOf(key) + 1), newest * repository.segmentSize);
    }
    return repository;
  }

  /** A record whose segment is in memory: every file in progress is. */
  get(key: string): CreativeRecord | undefined {
    const segment = this.loaded.get(this.segmentOf(key));
    const record = segment?.data.records[key];
    if (!record && this.index.entry(key)) throw new Error(`Creative ${key} is not in memory; use load()`);
    return record;
  }

  /** Any record, reading its segment when it is not in memory. */
  async load(key: string): Promise<CreativeRecord | undefined> {
    if (!this.index.entry(key)) return undefined;
    await this.ensureLoaded(this.segmentOf(key));
    return this.get(key);
  }

  /**
   * Visits every record in key order, a segment at a time: memory holds one more segment, not the
   * library. `touchedSince` (ISO) skips the segments none of whose records changed since then.
   */
  async forEachSegment(
    visit: (records: CreativeRecord[]) => Promise<void> | void,
    options: { touchedSince?: string } = {},
  ): Promise<void> {
    const { touchedSince } = options;
    const numbers =
      touchedSince === undefined
        ? this.segmentNumbers()
        : this.segmentDigests().flatMap(({ number, digest }) => (digest.latestAt >= touchedSince ? [number] : []));
    for (const number of numbers) await visit(await this.segmentRecords(number));
  }

  /** Each segment's digest, oldest segment first: from its records when they are in memory, from its summary otherwise. */
  segmentDigests(): { number: number; digest: SegmentDigest }[] {
    return this.segmentNumbers().map((number) => {
      const records = this.loaded.get(number)?.data.records;
      return {
        number,
        digest: records ? digestOf(Object.values(records)) : (this.digests.get(number) ?? digestOf([])),
      };
    });
  }

  /** The numbers of every segment, oldest first. */
  segmentNumbers(): number[] {
    return Array.from({ length: Math.ceil(this.nextSeq / this.segmentSize) }, (_, number) => number);
  }

  /** A segment's records in key order, read from disk when it is not in memory (and not kept). */
  async segmentRecords(number: number): Promise<CreativeRecord[]> {
    const wasLoaded = this.loaded.has(number);
    await this.ensureLoaded(number);
    const records = Object.values(this.loaded.get(number)?.data.records ?? {}).sort(
      (a, b) => seqOf(a.key) - seqOf(b.key),
    );
    if (!wasLoaded) this.unloadIfIdle(number);
    return records;
  }

  /** The segment a record is in. */
  segmentOf(key: string): number {
    return Math.floor(seqOf(key) / this.segmentSize);
  }

  /**
   * The version of a segment on disk, when memory holds nothing newer: a copy of anything made from
   * a segment of this version is still true. Unknown for a segment with unsaved changes.
   */
  savedVersion(number: number): number | undefined {
    if (this.dirty.has(number) || this.writing(number)) return undefined;
    return this.versions.get(number);
  }

  /** Whether a write of the segment is under way: memory holds a version disk does not have yet. */
  private writing(number: number): boolean {
    const segment = this.loaded.get(number);
    return segment !== undefined && segment.data.version !== this.versions.get(number);
  }

  /** Adds a record with a fresh key. */
  create(fields: Omit<CreativeRecord, 'key'>): CreativeRecord {
    const record: CreativeRecord = { key: `c${this.nextSeq}`, ...fields };
    this.nextSeq += 1;
    this.put(record);
    return record;
  }

  /**
   * Replaces a record in memory; it reaches disk with the next flush. A change of state must be
   * one the state table allows, whoever asks: an illegal one throws {@link InvalidTransitionError}.
   */
  put(record: CreativeRecord): void {
    const number = this.segmentOf(record.key);
    let segment = this.loaded.get(number);
    if (!segment) {
      if (this.index.entry(record.key))
        throw new Error(`Creative ${record.key} changed before its segment was read; use load()`);
      segment = this.newSegment(number);
      this.loaded.set(number, segment);
    }
    const previous = segment.data.records[record.key];
    if (previous && previous.state !== record.state) assertTransition(previous.state, record.state, record.key);
    segment.data.records[record.key] = record;
    this.index.set(entryOf(record), record.source.path);
    const changed = this.dirty.get(number);
    if (changed) changed.keys.add(record.key);
    else this.dirty.set(number, { keys: new Set([record.key]), whole: false });
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.flush().catch(() => {
        // The segment stays dirty; the next commit retries the write and reports the error to its caller.
      });
    }, this.flushDelayMs);
  }

  /** Replaces a record and waits until it is on disk. Concurrent commits share one write. */
  async commit(record: CreativeRecord): Promise<void> {
    this.put(record);
    await this.flush();
  }

  /** Writes every changed segment and its summary. A call joins a flush that has not started yet. */
  flush(): Promise<void> {
    if (this.queuedFlush) return this.queuedFlush;
    const flush = this.writes.run(async () => {
      this.queuedFlush = undefined;
      const changes = [...this.dirty];
      this.dirty.clear();
      // Every write ended, failed or not, before the next flush starts: none of them races it.
      const results = await Promise.allSettled(changes.map(([number, change]) => this.writeSegment(number, change)));
      let failure: { error: unknown } | undefined;
      for (const [i, result] of results.entries()) {
        const number = changes[i]?.[0];
        if (result.status === 'fulfilled' || number === undefined) continue;
        failure ??= { error: result.reason };
        // Written whole next time, with whatever changed since: which of its lines reached disk is not known.
        this.dirty.set(number, { keys: this.dirty.get(number)?.keys ?? new Set(), whole: true });
      }
      if (failure) throw failure.error;
    });
    // The flush starts on a later microtask (never inside `run`), so it finds itself here and clears it.
    this.queuedFlush = flush;
    return flush;
  }

  async close(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.flush();
  }

  /**
   * Saves a segment's changed records (`keys`) as lines appended to its file, or the whole segment
   * when it must be. Its summary is written after a whole write, and after lines only once they
   * outgrow {@link SUMMARY_LAG_BYTES}: until then start-up reads them after it.
   */
  private async writeSegment(number: number, change: { keys: ReadonlySet<string>; whole: boolean }): Promise<void> {
    const segment = this.loaded.get(number);
    if (!segment) return;
    const changed = [...change.keys].flatMap((key) => segment.data.records[key] ?? []);
    // The lines, and the records of the summary, are taken now: a record changed while the segment
    // is on its way to disk is the next version's (a change replaces a record, none is edited in place).
    const lines = change.whole ? undefined : segment.file.linesFor(changed);
    if (lines === undefined) {
      // Rebuilt so that the version and the stamp come first in the file.
      segment.data = {
        version: segment.data.version + 1,
        stamp: randomBytes(6).toString('hex'),
        records: segment.data.records,
      };
    } else {
      segment.data.version += changed.length;
    }
    const { version, stamp } = segment.data;
    const records = Object.values(segment.data.records);
    await (lines === undefined ? segment.write() : segment.file.append(lines));
    this.versions.set(number, version);
    // While the segment is in memory its digest comes from its records; it is taken again when it leaves.
    this.digests.delete(number);
    const bytes = segment.file.bytes ?? 0;
    if (lines !== undefined && bytes - (this.summarisedBytes.get(number) ?? 0) <= SUMMARY_LAG_BYTES) return;
    // After the segment, with the size it now has: a crash between the two leaves a summary of
    // another write, which is ignored (and made again).
    const summary = summaryOf(records, version, stamp, bytes);
    await this.summaries.write(number, summary);
    this.summarisedBytes.set(number, bytes);
    this.digests.set(number, summary.digest);
  }

  /** Writes the summary of a segment in memory whose file is as it is on disk. */
  private async writeSummary(number: number): Promise<void> {
    const segment = this.loaded.get(number);
    if (!segment) return;
    const bytes = segment.file.bytes ?? 0;
    const summary = summaryOf(Object.values(segment.data.records), segment.data.version, segment.data.stamp, bytes);
    await this.summaries.write(number, summary);
    this.summarisedBytes.set(number, bytes);
    this.digests.set(number, summary.digest);
  }

  /**
   * Reads a segment into memory. `reindex` for a segment the index did not take from a fresh
   * summary (at start-up); otherwise the index already holds exactly what the segment says.
   */
  private async ensureLoaded(number: number, reindex = false): Promise<void> {
    if (this.loaded.has(number)) return;
    const segment = this.newSegment(number);
    await segment.read();
    if (this.loaded.has(number)) return;
    for (const [key, record] of Object.entries(segment.data.records)) segment.data.records[key] = upgradeRecord(record);
    this.loaded.set(number, segment);
    this.versions.set(number, segment.data.version);
    if (reindex)
      for (const record of Object.values(segment.data.records)) this.index.set(entryOf(record), record.source.path);
    if (this.loaded.size > SPARE_SEGMENTS)
      for (const other of this.loaded.keys()) if (other !== number) this.unloadIfIdle(other);
  }

  /** Drops a segment from memory unless it holds unsaved changes, files in progress, or new keys. */
  private unloadIfIdle(number: number): void {
    const segment = this.loaded.get(number);
    if (!segment || this.dirty.has(number) || this.writing(number) || number === this.segmentOf(`c${this.nextSeq}`))
      return;
    const records = Object.values(segment.data.records);
    if (records.some((record) => isActive(record.state, entryOf(record).inUploaded))) return;
    // A segment read and left unchanged, or just summarised, has its summary's digest; one changed since lacks it.
    if (!this.digests.has(number)) this.digests.set(number, digestOf(records));
    this.loaded.delete(number);
  }

  private newSegment(number: number): Segment {
    return new Segment(new SegmentFile(this.segmentPath(number), this.storage));
  }

  private segmentPath(number: number): string {
    return path.join(this.dir, `creatives-${pad(number)}.json`);
  }
}

function seqOf(key: string): number {
  return Number(key.slice(1));
}

function pad(number: number): string {
  return String(number).padStart(4, '0');
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import type { CreativeRecord } from '../core/record.js';
import { CreativeIndex } from './creative-index.js';
import { DurableJsonFile } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

interface SegmentData {
  records: Record<string, CreativeRecord>;
}

export interface CreativeRepositoryOptions {
  /**
   * Records per lowdb file. lowdb rewrites a whole file on every write, so the library is split into
   * files of this size: a state change rewrites one of them, whatever the library's size.
   */
  readonly segmentSize?: number;
  /** How long changes may wait to be written together when nobody waits on them. */
  readonly flushDelayMs?: number;
  /** Only reads: for `status` beside a running daemon, whose temporary files must be left alone. */
  readonly readOnly?: boolean;
}

const SEGMENT_FILE = /^creatives-(\d{4,})\.json$/;

/** Creative records in lowdb, with an in-memory index for every look-up. One process only. */
export class CreativeRepository {
  readonly index = new CreativeIndex();
  private readonly segments: Low<SegmentData>[] = [];
  private readonly dirty = new Set<number>();
  private nextSeq = 0;
  private queuedFlush: Promise<void> | undefined;
  private writeChain: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly segmentSize: number;
  private readonly flushDelayMs: number;

  private constructor(
    private readonly dir: string,
    private readonly storage: StorageRepository,
    options: CreativeRepositoryOptions,
  ) {
    this.segmentSize = options.segmentSize ?? 128;
    this.flushDelayMs = options.flushDelayMs ?? 20;
  }

  static async open(dir: string, storage: StorageRepository, options: CreativeRepositoryOptions = {}): Promise<CreativeRepository> {
    const repository = new CreativeRepository(dir, storage, options);
    if (!options.readOnly) {
      await storage.ensureDir(dir);
      await storage.removeStaleTemps(dir);
    }
    const files = (await fs.readdir(dir).catch(() => [] as string[])).filter((name) => SEGMENT_FILE.test(name)).sort();
    for (const name of files) {
      const number = Number(SEGMENT_FILE.exec(name)?.[1]);
      const segment = repository.segment(number);
      await segment.read();
      for (const record of Object.values(segment.data.records)) {
        repository.index.set(record);
        repository.nextSeq = Math.max(repository.nextSeq, Number(record.key.slice(1)) + 1);
      }
    }
    return repository;
  }

  get(key: string): CreativeRecord | undefined {
    return this.index.get(key);
  }

  /** Adds a record with a fresh key. */
  create(fields: Omit<CreativeRecord, 'key'>): CreativeRecord {
    const record: CreativeRecord = { key: `c${this.nextSeq}`, ...fields };
    this.nextSeq += 1;
    this.put(record);
    return record;
  }

  /** Replaces a record in memory; it reaches disk with the next flush. */
  put(record: CreativeRecord): void {
    const number = Math.floor(Number(record.key.slice(1)) / this.segmentSize);
    this.segment(number).data.records[record.key] = record;
    this.index.set(record);
    this.dirty.add(number);
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

  /** Writes every changed segment. A call joins a flush that has not started yet. */
  flush(): Promise<void> {
    if (this.queuedFlush) return this.queuedFlush;
    const flush = this.writeChain.then(async () => {
      this.queuedFlush = undefined;
      const numbers = [...this.dirty];
      this.dirty.clear();
      try {
        await Promise.all(numbers.map((number) => this.segment(number).write()));
      } catch (error) {
        for (const number of numbers) this.dirty.add(number);
        throw error;
      }
    });
    this.queuedFlush = flush;
    this.writeChain = flush.catch(() => undefined);
    return flush;
  }

  async close(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.flush();
  }

  private segment(number: number): Low<SegmentData> {
    let segment = this.segments[number];
    if (!segment) {
      const file = path.join(this.dir, `creatives-${String(number).padStart(4, '0')}.json`);
      segment = new Low<SegmentData>(new DurableJsonFile<SegmentData>(file, this.storage), { records: {} });
      this.segments[number] = segment;
    }
    return segment;
  }
}

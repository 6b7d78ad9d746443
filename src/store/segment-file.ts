import type { Adapter } from 'lowdb';
import type { CreativeRecord } from '../core/record.js';
import { inTurn, notValidJson, unreadable } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

/**
 * A segment's records. `version` and `stamp` come first, so they can be read without parsing the
 * rest. `stamp` is new with every whole write: after a crash a version number may be written
 * again, and the stamp tells a summary of the other write with that number apart.
 */
export interface SegmentData {
  version: number;
  stamp?: string;
  records: Record<string, CreativeRecord>;
}

/**
 * Appended lines may grow a file to this share of its whole form (or to {@link APPEND_FLOOR_BYTES})
 * before it is written whole again: a read then parses at most about twice the records it holds.
 */
const APPEND_SHARE = 1;
/** A small segment (a new one, filling up) takes this many bytes of lines before a rewrite. */
const APPEND_FLOOR_BYTES = 64 * 1024;

/** What this adapter knows of the file on disk, as it last read or wrote it. */
interface OnDisk {
  /** Its size: what a summary of it is checked against. */
  readonly bytes: number;
  /** The size of its first line, the segment written whole. */
  readonly wholeBytes: number;
  /** Lines may follow: it was read or written whole and nothing since failed or was cut short. */
  readonly appendable: boolean;
  readonly endsWithLineBreak: boolean;
}

/**
 * lowdb's adapter for a segment file: the segment as one line of JSON, then one line for each record
 * changed since, each the whole record (the last line of a key wins). A change is saved by
 * appending its line and flushing it to disk, which costs the record, not the segment; the file is
 * written whole again (temporary file, flush, rename) once its lines outgrow its first line. A last
 * line cut short by a crash was never confirmed to anyone: it is dropped, and the next write is whole.
 * A file of the older form, one JSON document, reads as a segment without lines.
 */
export class SegmentFile implements Adapter<SegmentData> {
  private disk: OnDisk | undefined;
  /** Bumped by every read or write asked for: only the last one asked may say what the file is. */
  private asked = 0;

  constructor(
    readonly file: string,
    private readonly storage: StorageRepository,
  ) {}

  /** The file's size as last read or written through this adapter; undefined before either. */
  get bytes(): number | undefined {
    return this.disk?.bytes;
  }

  async read(): Promise<SegmentData | null> {
    let bytes: Buffer | undefined;
    try {
      bytes = await this.storage.readBytes(this.file);
    } catch (error) {
      throw unreadable(this.file, error);
    }
    if (bytes === undefined) return null;
    this.asked += 1;
    const { data, wholeBytes, appendable } = parseSegment(bytes, this.file);
    this.disk = { bytes: bytes.length, wholeBytes, appendable, endsWithLineBreak: bytes.at(-1) === LINE_BREAK };
    return data;
  }

  async write(data: SegmentData): Promise<void> {
    // The data as it is now: it may change while the writes before this one finish.
    const text = `${JSON.stringify(data)}\n`;
    const mine = this.unknownUntilDone();
    await inTurn(this.file, () => this.storage.writeFileAtomic(this.file, text));
    const bytes = Buffer.byteLength(text);
    if (mine === this.asked) this.disk = { bytes, wholeBytes: bytes, appendable: true, endsWithLineBreak: true };
  }

  /**
   * The lines that would save these records, when the file may take them; undefined when it must
   * be written whole (never read or written, cut short, or its lines would outgrow it).
   */
  linesFor(records: readonly CreativeRecord[]): string | undefined {
    const disk = this.disk;
    if (!disk?.appendable || records.length === 0) return undefined;
    const lines = `${disk.endsWithLineBreak ? '' : '\n'}${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
    const linesBytes = disk.bytes - disk.wholeBytes + Buffer.byteLength(lines);
    return linesBytes <= Math.max(disk.wholeBytes * APPEND_SHARE, APPEND_FLOOR_BYTES) ? lines : undefined;
  }

  /** Appends lines from {@link linesFor}, on disk before it returns. */
  async append(lines: string): Promise<void> {
    const disk = this.disk;
    if (!disk?.appendable) throw new Error(`${this.file} takes no lines until it is written whole`);
    const mine = this.unknownUntilDone();
    await inTurn(this.file, () => this.storage.appendDurable(this.file, lines, { mustExist: true }));
    if (mine === this.asked)
      this.disk = { ...disk, bytes: disk.bytes + Buffer.byteLength(lines), endsWithLineBreak: true };
  }

  /**
   * Until a write is done the file is not known: the next write is whole, since a failed append
   * may have left part of a line. A write asked for after this one owns what is known once both end.
   */
  private unknownUntilDone(): number {
    this.disk = undefined;
    this.asked += 1;
    return this.asked;
  }
}

const LINE_BREAK = 0x0a;

/**
 * A segment file's records, with each line applied over the whole segment in the first. Its version
 * counts the lines too, so it names what the file holds. Lines may follow unless one was cut short
 * or the file is laid out otherwise.
 */
export function parseSegment(
  bytes: Buffer,
  file: string,
): { data: SegmentData; wholeBytes: number; appendable: boolean } {
  const firstBreak = bytes.indexOf(LINE_BREAK);
  const wholeEnd = firstBreak === -1 ? bytes.length : firstBreak;
  let data: SegmentData;
  try {
    data = JSON.parse(bytes.toString('utf8', 0, wholeEnd)) as SegmentData;
  } catch (error) {
    // An older file laid out over several lines (edited by hand, say) is one document: read whole, written whole next.
    try {
      return { data: JSON.parse(bytes.toString('utf8')) as SegmentData, wholeBytes: bytes.length, appendable: false };
    } catch {
      throw notValidJson(file, error);
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw notValidJson(file, new Error('its first line is not a segment'));
  data.version ??= 0;
  data.records ??= {};
  const { records, cutShort } = parseLines(bytes.subarray(wholeEnd), file);
  for (const record of records) data.records[record.key] = record;
  data.version += records.length;
  return { data, wholeBytes: Math.min(wholeEnd + 1, bytes.length), appendable: !cutShort };
}

/**
 * The records of appended lines, oldest first. A last line without its line break was cut short
 * (by a crash: it was never confirmed) and is left out; any other line that does not parse is damage.
 */
export function parseLines(bytes: Buffer, file: string): { records: CreativeRecord[]; cutShort: boolean } {
  const records: CreativeRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const end = bytes.indexOf(LINE_BREAK, offset);
    if (end === -1) return { records, cutShort: true };
    // Empty only where a line break ends a file of the older form, before its first line.
    if (end > offset) {
      let record: unknown;
      try {
        record = JSON.parse(bytes.toString('utf8', offset, end));
      } catch (error) {
        // A last line can come back from a power cut with its end on disk and some of the rest not.
        if (end === bytes.length - 1) return { records, cutShort: true };
        throw notValidJson(file, error);
      }
      if (!isRecord(record)) throw notValidJson(file, new Error('a line is not a creative record'));
      records.push(record);
    }
    offset = end + 1;
  }
  return { records, cutShort: false };
}

/** The fields every reader of a record relies on. */
function isRecord(value: unknown): value is CreativeRecord {
  const record = value as Partial<CreativeRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.key === 'string' &&
    /^c\d+$/.test(record.key) &&
    typeof record.state === 'string' &&
    typeof record.source?.path === 'string'
  );
}

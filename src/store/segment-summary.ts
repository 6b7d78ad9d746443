import path from 'node:path';
import { platformIds, type PlatformId } from '../core/platform.js';
import { isOnPlatform, latestTime, needsReview, problemOf, type CreativeRecord } from '../core/record.js';
import type { State } from '../core/state.js';
import { entryOf, type IndexEntry } from './creative-index.js';
import { DurableJsonFile } from './durable-json-file.js';
import { parseLines } from './segment-file.js';
import type { StorageRepository } from './storage.repository.js';

/**
 * What a segment's summary keeps of its records beside the index's rows: enough for `status` to
 * count without reading any segment, and for walks of recent work to skip the segments nothing
 * happened in lately.
 */
export interface SegmentDigest {
  /** The newest time any of its records shows (ISO); empty when it has none. */
  readonly latestAt: string;
  /** Records whose name a person should look at. */
  readonly needsReview: number;
  /** Records set aside as known fakes. */
  readonly knownFakes: number;
  /** Records with a problem to show: a failure or a refusal, with its reason. */
  readonly problems: number;
  /** Creatives with every sent output on each platform. */
  readonly onPlatform: Readonly<Record<PlatformId, number>>;
}

/** A record as its segment's summary keeps it: the index's entry, then what the digest counts of it (bits). */
export type SummaryRow = [
  key: string,
  state: State,
  hash: string | null,
  id: string | null,
  inUploaded: 0 | 1,
  facts: number,
];

const NEEDS_REVIEW = 1;
const KNOWN_FAKE = 2;
const PROBLEM = 4;
/** The first of one bit for each platform, in {@link platformIds()} order. */
const ON_PLATFORM = 8;

export function rowOf(record: CreativeRecord): SummaryRow {
  const entry = entryOf(record);
  let facts =
    (needsReview(record) ? NEEDS_REVIEW : 0) | (record.knownFake ? KNOWN_FAKE : 0) | (problemOf(record) ? PROBLEM : 0);
  for (const [i, platform] of platformIds().entries()) if (isOnPlatform(record, platform)) facts |= ON_PLATFORM << i;
  return [entry.key, entry.state, entry.hash ?? null, entry.id ?? null, entry.inUploaded ? 1 : 0, facts];
}

export function entryOfRow([key, state, hash, id, inUploaded]: SummaryRow): IndexEntry {
  return { key, state, hash: hash ?? undefined, id: id ?? undefined, inUploaded: inUploaded === 1 };
}

/** The digest of a segment's rows, whose records' newest time is `latestAt`. */
function digestOfRows(rows: Iterable<SummaryRow>, latestAt: string): SegmentDigest {
  let reviews = 0;
  let knownFakes = 0;
  let problems = 0;
  const platforms = platformIds();
  const onPlatform = new Map(platforms.map((platform) => [platform, 0]));
  for (const [, , , , , facts] of rows) {
    if (facts & NEEDS_REVIEW) reviews += 1;
    if (facts & KNOWN_FAKE) knownFakes += 1;
    if (facts & PROBLEM) problems += 1;
    for (const [i, platform] of platforms.entries())
      if (facts & (ON_PLATFORM << i)) onPlatform.set(platform, (onPlatform.get(platform) ?? 0) + 1);
  }
  return { latestAt, needsReview: reviews, knownFakes, problems, onPlatform: Object.fromEntries(onPlatform) };
}

export function digestOf(records: readonly CreativeRecord[]): SegmentDigest {
  return digestOfRows(records.map(rowOf), newestTime(records, ''));
}

function newestTime(records: readonly CreativeRecord[], since: string): string {
  let newest = since;
  for (const record of records) {
    const latest = latestTime(record);
    if (latest > newest) newest = latest;
  }
  return newest;
}

/** Beside each segment, what the index and the digest need of its records: read at start-up instead of the segment. */
export interface SegmentSummary {
  /** {@link SUMMARY_FORMAT}: a summary of another shape is ignored and written anew. */
  format: number;
  version: number;
  /** The segment's stamp at that version, when it has one (segments written before stamps have none). */
  stamp?: string;
  /** The segment file's size at that version. Lines appended since are read from there on. */
  bytes: number;
  rows: SummaryRow[];
  digest: SegmentDigest;
}

export const SUMMARY_FORMAT = 5;

/** The summary of a segment's records at a version, in a file of `bytes` bytes. */
export function summaryOf(
  records: readonly CreativeRecord[],
  version: number,
  stamp: string | undefined,
  bytes: number,
): SegmentSummary {
  const rows = records.map(rowOf);
  return {
    format: SUMMARY_FORMAT,
    version,
    ...(stamp === undefined ? {} : { stamp }),
    bytes,
    rows,
    digest: digestOfRows(rows, newestTime(records, '')),
  };
}

const VERSION_AT_START = /^\{"version":(\d+),(?:"stamp":"([0-9a-f]+)",)?/;

/** The version and stamp a segment file starts with; undefined when it starts otherwise (laid out by hand, say). */
function stampOf(segment: SegmentHead): { version: number; stamp: string | undefined } | undefined {
  const head = VERSION_AT_START.exec(segment.head.toString('latin1'));
  return head ? { version: Number(head[1]), stamp: head[2] } : undefined;
}

/** A summary of this format, of the shape it is read in: one damaged or of another shape is made again. */
function isSummary(value: unknown): value is SegmentSummary {
  const summary = value as Partial<SegmentSummary> | null;
  return (
    summary?.format === SUMMARY_FORMAT &&
    typeof summary.version === 'number' &&
    typeof summary.bytes === 'number' &&
    typeof summary.digest?.latestAt === 'string' &&
    Array.isArray(summary.rows) &&
    summary.rows.every(
      (row) =>
        Array.isArray(row) && typeof row[0] === 'string' && typeof row[1] === 'string' && typeof row[5] === 'number',
    )
  );
}

/** A segment file as start-up first sees it: its first bytes and its size. */
export interface SegmentHead {
  readonly file: string;
  readonly head: Buffer;
  readonly size: number;
}

/** The summaries beside a folder's segments (`creatives-NNNN.summary.json`). */
export class SummaryFiles {
  constructor(
    private readonly dir: string,
    private readonly storage: StorageRepository,
  ) {}

  /**
   * A segment's summary, brought up to the file as it is: of this format and of the stamp its first
   * bytes say (`readHead`), with the lines appended since the summary was written applied to its
   * rows. Undefined when it cannot be (missing, of another shape or write, a last line cut short):
   * the segment is read.
   */
  async fresh(
    number: number,
    readHead: () => Promise<SegmentHead | undefined>,
  ): Promise<{ summary: SegmentSummary; bytesOnDisk: number } | undefined> {
    const segment = await readHead();
    const stamp = segment && stampOf(segment);
    if (!segment || !stamp) return undefined;
    const summary = await new DurableJsonFile<unknown>(this.path(number), this.storage).read().catch(() => null);
    if (
      !isSummary(summary) ||
      summary.stamp !== stamp.stamp ||
      summary.version < stamp.version ||
      summary.bytes > segment.size
    )
      return undefined;
    if (summary.bytes === segment.size) return { summary, bytesOnDisk: summary.bytes };
    const lines = await this.storage
      .readRange(segment.file, summary.bytes, segment.size - summary.bytes)
      .then((tail) => (tail.length === segment.size - summary.bytes ? parseLines(tail, segment.file) : undefined))
      // Damage is said when the segment is read whole, by name.
      .catch(() => undefined);
    if (!lines || lines.cutShort) return undefined;
    // The lines came from the file the summary describes only if it was not written whole meanwhile
    // (a daemon beside a read-only start): a whole write takes a new stamp.
    const again = await readHead();
    if (!again || stampOf(again)?.stamp !== stamp.stamp || again.size < segment.size) return undefined;
    const rows = new Map(summary.rows.map((row) => [row[0], row]));
    for (const record of lines.records) rows.set(record.key, rowOf(record));
    // Times are added to a record, not taken away: the segment's newest is the newer of the two
    // (were one taken away, a walk of recent work would only read this segment once too often).
    const digest = digestOfRows(rows.values(), newestTime(lines.records, summary.digest.latestAt));
    return {
      summary: {
        ...summary,
        version: summary.version + lines.records.length,
        bytes: segment.size,
        rows: [...rows.values()],
        digest,
      },
      bytesOnDisk: summary.bytes,
    };
  }

  /**
   * A summary is made again from its segment whenever it is missing, damaged or of another write,
   * so it is written without the flushes to disk a segment gets: a change costs one durable write.
   */
  async write(number: number, summary: SegmentSummary): Promise<void> {
    await this.storage.writeRebuildable(this.path(number), JSON.stringify(summary));
  }

  private path(number: number): string {
    return path.join(this.dir, `creatives-${String(number).padStart(4, '0')}.summary.json`);
  }
}

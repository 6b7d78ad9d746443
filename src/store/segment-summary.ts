import path from 'node:path';
import { PLATFORM_IDS, type PlatformId } from '../core/platform.js';
import { isOnPlatform, latestTime, needsReview, problemOf, type CreativeRecord } from '../core/record.js';
import type { State } from '../core/state.js';
import { entryOf } from './creative-index.js';
import { DurableJsonFile } from './durable-json-file.js';
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

export function digestOf(records: Iterable<CreativeRecord>): SegmentDigest {
  let latestAt = '';
  let reviews = 0;
  let knownFakes = 0;
  let problems = 0;
  const onPlatform = Object.fromEntries(PLATFORM_IDS.map((platform) => [platform, 0])) as Record<PlatformId, number>;
  for (const record of records) {
    const latest = latestTime(record);
    if (latest > latestAt) latestAt = latest;
    if (needsReview(record)) reviews += 1;
    if (record.knownFake) knownFakes += 1;
    if (problemOf(record)) problems += 1;
    for (const platform of PLATFORM_IDS) if (isOnPlatform(record, platform)) onPlatform[platform] += 1;
  }
  return { latestAt, needsReview: reviews, knownFakes, problems, onPlatform };
}

/** Beside each segment, what the index needs of its records: read at start-up instead of the segment. */
export interface SegmentSummary {
  /** {@link SUMMARY_FORMAT}: a summary of another shape is ignored and written anew. */
  format: number;
  version: number;
  /** The segment's stamp at that version, when it has one (segments written before stamps have none). */
  stamp?: string;
  rows: [key: string, state: State, hash: string | null, id: string | null, inUploaded: 0 | 1][];
  digest: SegmentDigest;
}

export const SUMMARY_FORMAT = 4;

/** The summary of a segment's records at a version. */
export function summaryOf(records: readonly CreativeRecord[], version: number, stamp: string | undefined): SegmentSummary {
  const rows = records.map((record): SegmentSummary['rows'][number] => {
    const entry = entryOf(record);
    return [entry.key, entry.state, entry.hash ?? null, entry.id ?? null, entry.inUploaded ? 1 : 0];
  });
  return { format: SUMMARY_FORMAT, version, ...(stamp === undefined ? {} : { stamp }), rows, digest: digestOf(records) };
}

const VERSION_AT_START = /^\{"version":(\d+),(?:"stamp":"([0-9a-f]+)",)?/;

/** The summaries beside a folder's segments (`creatives-NNNN.summary.json`). */
export class SummaryFiles {
  constructor(
    private readonly dir: string,
    private readonly storage: StorageRepository,
  ) {}

  /** A segment's summary, when it is of this format and of the version and stamp the segment's first bytes (`segmentHead`) say. */
  async fresh(number: number, segmentHead: Buffer): Promise<SegmentSummary | undefined> {
    const head = VERSION_AT_START.exec(segmentHead.toString('latin1'));
    const version = Number(head?.[1] ?? Number.NaN);
    const summary = await new DurableJsonFile<SegmentSummary>(this.path(number), this.storage).read().catch(() => null);
    return summary && summary.format === SUMMARY_FORMAT && summary.version === version && summary.stamp === head?.[2] ? summary : undefined;
  }

  /**
   * A summary is made again from its segment whenever it is missing, damaged or of another version,
   * so it is written without the flushes to disk a segment gets: a change costs one durable write.
   */
  async write(number: number, summary: SegmentSummary): Promise<void> {
    await this.storage.writeRebuildable(this.path(number), JSON.stringify(summary));
  }

  private path(number: number): string {
    return path.join(this.dir, `creatives-${String(number).padStart(4, '0')}.summary.json`);
  }
}

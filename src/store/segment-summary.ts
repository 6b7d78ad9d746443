import { PLATFORM_IDS, type PlatformId } from '../core/platform.js';
import { isOnPlatform, latestTime, needsReview, problemOf, type CreativeRecord } from '../core/record.js';
import type { State } from '../core/state.js';
import { entryOf } from './creative-index.js';

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
  rows: [key: string, state: State, hash: string | null, id: string | null, inUploaded: 0 | 1][];
  digest: SegmentDigest;
}

export const SUMMARY_FORMAT = 3;

/** The summary of a segment's records at a version. */
export function summaryOf(records: readonly CreativeRecord[], version: number): SegmentSummary {
  const rows = records.map((record): SegmentSummary['rows'][number] => {
    const entry = entryOf(record);
    return [entry.key, entry.state, entry.hash ?? null, entry.id ?? null, entry.inUploaded ? 1 : 0];
  });
  return { format: SUMMARY_FORMAT, version, rows, digest: digestOf(records) };
}

import type { RootPath } from './layout.js';
import type { PlatformId } from './platform.js';
import type { State } from './state.js';

/** How a creative is used on the platform, which decides its conversion and its folder. */
export type CreativeKind = 'native' | 'preroll' | 'image';

export interface SourceFile {
  /** As it was found in `inbox/`. */
  readonly path: RootPath;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface MediaInfo {
  readonly type: 'video' | 'image';
  /** Container or image format as the decoder names it: `mp4`, `matroska`, `jpeg`, `png`… */
  readonly format: string;
  readonly width: number;
  readonly height: number;
  /** Seconds; absent for still images. */
  readonly durationSec?: number;
  readonly videoCodec?: string;
  readonly hasAudio?: boolean;
  readonly hasAlpha?: boolean;
  readonly animated?: boolean;
  /** A video's coded pixels are this much wider than tall (anamorphic); absent when square. `width` and `height` are what a player shows. */
  readonly sampleAspect?: number;
  /** Degrees a player turns a video by; absent when none. */
  readonly rotation?: number;
  /** An HDR video's transfer: PQ (HDR10) or HLG; absent for SDR. */
  readonly hdr?: 'pq' | 'hlg';
  /** What the header claimed, when the file holds less (cut short): `durationSec` is what it holds. */
  readonly claimedDurationSec?: number;
}

export interface NamingTokens {
  readonly language: string;
  readonly category: string;
  readonly modelSex: string;
  readonly style: string;
  readonly rating: string;
  readonly description: string;
  readonly creator: string;
  readonly testId?: string;
}

export interface Naming {
  /** 8 uppercase hex digits, without the `ID-` prefix. */
  readonly id: string;
  readonly tokens: NamingTokens;
  /** Token names that fell back to `UNK` or were invalid: the creative needs a person's review. */
  readonly review: readonly string[];
}

export type OutputRole = 'original' | 'video' | 'image' | 'creative';

/** What one platform made of one output. */
export interface PlatformUpload {
  /**
   * `in_flight`: in a batch that was sent; on resume, the library is read for its name first.
   * `failed`: every try of a pass failed for reasons not the file's (5xx, dropped connections);
   * the next pass looks it up first and sends it again, up to the set number of passes.
   * `unfit`: never sent, because the file is outside this platform's limits (`message` says which).
   */
  readonly status: 'in_flight' | 'failed' | 'uploaded' | 'duplicate' | 'rejected' | 'unfit';
  /** Passes that ended with this file failed. */
  readonly failedPasses?: number;
  /** The platform's creative id (10 digits on TJ, the library file's id on ExoClick), for `uploaded` and `duplicate`. */
  readonly creativeId?: string;
  /** The platform's message for `rejected`, or the last transient error. */
  readonly message?: string;
  /** The group it was sent in, numbered within its upload run. */
  readonly batch: number;
  readonly at: string;
}

export interface OutputFile {
  readonly role: OutputRole;
  readonly path: RootPath;
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
  readonly durationSec?: number;
  readonly format: string;
  /** False when the file is the untouched source under its new name. */
  readonly converted: boolean;
  /** Each platform's answer, set once the output is sent to it; never for `original`. */
  readonly uploads?: PlatformUploads;
}

/** Each platform's answer, by platform id (a platform not sent to has none). */
export type PlatformUploads = Readonly<Record<PlatformId, PlatformUpload>>;

/** A record as an older version stored it: one platform's upload, TJ's, under `upload`. */
type StoredOutput = OutputFile & { readonly upload?: PlatformUpload };

/** Reads a stored record in today's shape: an output's old `upload` is TJ's. */
export function upgradeRecord(record: CreativeRecord): CreativeRecord {
  const outputs: readonly StoredOutput[] | undefined = record.outputs;
  if (!outputs?.some((output) => output.upload)) return record;
  return {
    ...record,
    outputs: outputs.map(({ upload, ...output }) =>
      upload ? { ...output, uploads: { ...output.uploads, tj: output.uploads?.tj ?? upload } } : output,
    ),
  };
}

export interface SetAside {
  readonly path: RootPath;
  readonly reason: string;
}

export interface CreativeRecord {
  /** Internal, stable key: `c` followed by a sequence number. */
  readonly key: string;
  readonly state: State;
  readonly source: SourceFile;
  readonly kind?: CreativeKind;
  /** SHA-256 of the source bytes, hex. */
  readonly hash?: string;
  readonly media?: MediaInfo;
  readonly naming?: Naming;
  readonly outputs?: readonly OutputFile[];
  /** Where a rejected or duplicate source is moved, recorded before the move. */
  readonly setAside?: SetAside;
  /** The archive batch an uploaded creative's files move to, recorded before the moves. */
  readonly archive?: { readonly batch: number; readonly dir: RootPath };
  readonly reason?: string;
  /** Key of the record this one duplicates. */
  readonly duplicateOf?: string;
  /** Set aside because its hash is in `tracking/known_fakes.csv`. */
  readonly knownFake?: boolean;
  /** What conversion did and why, for people reading the inventory. */
  readonly notes?: readonly string[];
  /** Failed attempts since the last success; reset when the source changes. */
  readonly attempts: number;
  /** ISO timestamps of when each state was first reached. */
  readonly times: Partial<Record<State, string>>;
}

/** Whether every output sent to platforms is on this one (uploaded, or found there already). */
export function isOnPlatform(record: CreativeRecord, platform: PlatformId): boolean {
  const sent = (record.outputs ?? []).filter((output) => output.role !== 'original');
  return (
    sent.length > 0 &&
    sent.every((output) => ['uploaded', 'duplicate'].includes(output.uploads?.[platform]?.status ?? ''))
  );
}

/** Whether a person should look at its name: an `UNK` token, a value not in the convention, an id not the content's. */
export function needsReview(record: CreativeRecord): boolean {
  return (record.naming?.review.length ?? 0) > 0;
}

/** What went wrong with it, for `status`: a failure or a refusal with its reason (a duplicate's reason is no problem). */
export function problemOf(
  record: CreativeRecord,
): { file: string; state: State; reason: string; at: string } | undefined {
  if (!record.reason || record.state === 'duplicate') return undefined;
  return {
    file: record.source.path,
    state: record.state,
    reason: record.reason,
    at: record.times[record.state] ?? record.times.discovered ?? '',
  };
}

/** The newest time the record shows: when anything last happened to it. */
export function latestTime(record: CreativeRecord): string {
  return Object.values(record.times).reduce<string>((max, at) => (at !== undefined && at > max ? at : max), '');
}

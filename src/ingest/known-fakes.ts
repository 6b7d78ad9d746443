import { neutraliseCell, parsePeopleCsv, restoreCell } from '../core/csv.js';
import { stringify } from 'csv-stringify/sync';
import { ConfigError } from '../core/errors.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { WatchedFile } from '../store/watched-file.js';

export const KNOWN_FAKES_HEADER = ['hash', 'reason'] as const;

const SHA256 = /^[0-9a-f]{64}$/;
const MD5 = /^[0-9a-f]{32}$/;

/** The list's rows: a hash (MD5 or SHA-256, lower case) and why it is a fake. */
export type KnownFakes = ReadonlyMap<string, string>;

/** Parses `hash,reason` rows; a hash that is neither MD5 nor SHA-256 is named with its line. */
export function parseKnownFakes(text: string, fileLabel = 'tracking/known_fakes.csv'): KnownFakes {
  const rows = parsePeopleCsv(text, fileLabel);
  const fakes = new Map<string, string>();
  rows.forEach((row, index) => {
    const hash = (row.hash ?? '').toLowerCase();
    if (!SHA256.test(hash) && !MD5.test(hash)) {
      throw new ConfigError(
        fileLabel,
        `line ${index + 2}: "${row.hash ?? ''}" is not an MD5 or SHA-256 hash`,
        'Each row needs a hash of 32 or 64 hex digits.',
      );
    }
    // A reason `creative-flow block` wrote was neutralised for spreadsheets: read back as it was given.
    fakes.set(hash, restoreCell(row.reason ?? '') || 'listed in known_fakes.csv');
  });
  return fakes;
}

/** The list with one more row (or a new reason for a hash already there), as CSV. */
export function withKnownFake(fakes: KnownFakes, hash: string, reason: string): string {
  const rows = new Map(fakes).set(hash.toLowerCase(), reason);
  // People open and edit this file: a reason such as `=HYPERLINK(…)` is neutralised (the hashes are hex).
  return stringify([[...KNOWN_FAKES_HEADER], ...[...rows].map(([each, why]) => [each, neutraliseCell(why)])], {
    record_delimiter: 'windows',
  });
}

/**
 * `tracking/known_fakes.csv` as it is now: re-read when it changes, so `creative-flow block` and a
 * person's edits apply while the daemon runs. A broken edit keeps the last good rows.
 */
export class KnownFakesFile {
  private readonly watched: WatchedFile<KnownFakes>;

  constructor(file: string, storage: StorageRepository, onError: (error: ConfigError) => void) {
    this.watched = new WatchedFile<KnownFakes>(file, storage, (text) => parseKnownFakes(text), new Map(), onError);
  }

  /** The reason a file with these hashes is a fake, or undefined. */
  async match(sha256: string, md5?: string): Promise<string | undefined> {
    const fakes = await this.watched.current();
    return fakes.get(sha256) ?? (md5 === undefined ? undefined : fakes.get(md5));
  }

  /** Whether an MD5 is needed too: only when some row is one. */
  async wantsMd5(): Promise<boolean> {
    return [...(await this.watched.current()).keys()].some((hash) => MD5.test(hash));
  }
}

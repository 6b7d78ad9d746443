import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ConfigError } from '../core/errors.js';
import type { StorageRepository } from '../store/storage.repository.js';

export const KNOWN_FAKES_HEADER = ['hash', 'reason'] as const;

const SHA256 = /^[0-9a-f]{64}$/;
const MD5 = /^[0-9a-f]{32}$/;

/** The list's rows: a hash (MD5 or SHA-256, lower case) and why it is a fake. */
export type KnownFakes = ReadonlyMap<string, string>;

/** Parses `hash,reason` rows; a hash that is neither MD5 nor SHA-256 is named with its line. */
export function parseKnownFakes(text: string, fileLabel = 'tracking/known_fakes.csv'): KnownFakes {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new ConfigError(fileLabel, `is not valid CSV: ${(error as Error).message}`, 'Fix the file in a spreadsheet and save it as CSV.');
  }
  const fakes = new Map<string, string>();
  rows.forEach((row, index) => {
    const hash = (row.hash ?? '').toLowerCase();
    if (!SHA256.test(hash) && !MD5.test(hash)) {
      throw new ConfigError(fileLabel, `line ${index + 2}: "${row.hash ?? ''}" is not an MD5 or SHA-256 hash`, 'Each row needs a hash of 32 or 64 hex digits.');
    }
    fakes.set(hash, row.reason || 'listed in known_fakes.csv');
  });
  return fakes;
}

/** The list with one more row (or a new reason for a hash already there), as CSV. */
export function withKnownFake(fakes: KnownFakes, hash: string, reason: string): string {
  const rows = new Map(fakes).set(hash.toLowerCase(), reason);
  return stringify([[...KNOWN_FAKES_HEADER], ...rows], { record_delimiter: 'windows' });
}

/**
 * `tracking/known_fakes.csv` as it is now: re-read when it changes, so `creative-flow block` and a
 * person's edits apply while the daemon runs. A broken edit keeps the last good rows.
 */
export class KnownFakesFile {
  private rows: KnownFakes = new Map();
  private loadedMtimeMs = -1;

  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
    private readonly onError: (error: ConfigError) => void,
  ) {}

  /** The reason a file with these hashes is a fake, or undefined. */
  async match(sha256: string, md5?: string): Promise<string | undefined> {
    await this.refresh();
    return this.rows.get(sha256) ?? (md5 === undefined ? undefined : this.rows.get(md5));
  }

  /** Whether an MD5 is needed too: only when some row is one. */
  async wantsMd5(): Promise<boolean> {
    await this.refresh();
    return [...this.rows.keys()].some((hash) => MD5.test(hash));
  }

  private async refresh(): Promise<void> {
    const stat = await this.storage.stat(this.file).catch(() => undefined);
    if (!stat) {
      this.rows = new Map();
      this.loadedMtimeMs = -1;
      return;
    }
    if (stat.mtimeMs === this.loadedMtimeMs) return;
    this.loadedMtimeMs = stat.mtimeMs;
    try {
      this.rows = parseKnownFakes((await this.storage.readText(this.file)) ?? '');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.onError(error);
    }
  }
}

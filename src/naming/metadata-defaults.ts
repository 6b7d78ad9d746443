import { parse } from 'csv-parse/sync';
import { ConfigError } from '../core/errors.js';
import type { NamingTokens } from '../core/record.js';
import type { StorageRepository } from '../store/storage.repository.js';

/** Columns of `tracking/metadata_defaults.csv` and the token each one sets. */
const COLUMN_TOKENS = {
  category_name: 'category',
  model_sex: 'modelSex',
  style: 'style',
  creator_name: 'creator',
  language: 'language',
  content_type: 'rating',
  creative_description: 'description',
  test_id: 'testId',
} as const satisfies Record<string, keyof NamingTokens>;

export const METADATA_DEFAULTS_HEADER = ['folder_path', ...Object.keys(COLUMN_TOKENS)];

export type FolderDefaults = ReadonlyMap<string, Partial<NamingTokens>>;

/** Parses the file's text. Rows are keyed by the folder name, compared without case. */
export function parseMetadataDefaults(text: string, fileLabel = 'tracking/metadata_defaults.csv'): FolderDefaults {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new ConfigError(fileLabel, `is not valid CSV: ${(error as Error).message}`, 'Fix the file in a spreadsheet and save it as CSV.');
  }
  const folders = new Map<string, Partial<NamingTokens>>();
  rows.forEach((row, index) => {
    const folder = row.folder_path?.trim();
    if (!folder) throw new ConfigError(fileLabel, `row ${index + 2} has no folder_path`, 'Every row needs the folder name it applies to.');
    const tokens: Partial<Record<keyof NamingTokens, string>> = {};
    for (const [column, token] of Object.entries(COLUMN_TOKENS)) {
      const value = row[column]?.trim();
      if (value) tokens[token] = value;
    }
    // A row may name a nested folder (`native/Cumshot`); the immediate folder's name is what we look up.
    folders.set(folderKey(folder.split(/[\\/]/).filter(Boolean).at(-1) ?? folder), tokens);
  });
  return folders;
}

export function folderKey(folderName: string): string {
  return folderName.trim().toLowerCase();
}

/**
 * The file as it is now: re-read when it changes, so a person can edit it while the daemon runs.
 * A broken edit keeps the last good rows and is reported through `onError`.
 */
export class MetadataDefaultsFile {
  private rows: FolderDefaults = new Map();
  private loadedMtimeMs = -1;

  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
    private readonly onError: (error: ConfigError) => void,
  ) {}

  /**
   * Reads it now, throwing on a broken file: used at start-up, where bad config must stop us. A
   * missing file is written with its header, for a person to fill in.
   */
  async loadStrict(): Promise<void> {
    if (!(await this.storage.stat(this.file))) await this.storage.writeFileAtomic(this.file, `${METADATA_DEFAULTS_HEADER.join(',')}\r\n`);
    await this.refresh(true);
  }

  async lookup(folderName: string): Promise<Partial<NamingTokens> | undefined> {
    await this.refresh(false);
    return this.rows.get(folderKey(folderName));
  }

  private async refresh(strict: boolean): Promise<void> {
    const stat = await this.storage.stat(this.file).catch(() => undefined);
    if (!stat) {
      this.rows = new Map();
      this.loadedMtimeMs = -1;
      return;
    }
    if (stat.mtimeMs === this.loadedMtimeMs) return;
    try {
      this.rows = parseMetadataDefaults((await this.storage.readText(this.file)) ?? '');
      this.loadedMtimeMs = stat.mtimeMs;
    } catch (error) {
      if (strict || !(error instanceof ConfigError)) throw error;
      this.loadedMtimeMs = stat.mtimeMs;
      this.onError(error);
    }
  }
}

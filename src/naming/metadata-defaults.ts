import { parsePeopleCsv } from '../core/csv.js';
import { ConfigError } from '../core/errors.js';
import type { NamingTokens } from '../core/record.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { WatchedFile } from '../store/watched-file.js';

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
  const rows = parsePeopleCsv(text, fileLabel);
  const folders = new Map<string, Partial<NamingTokens>>();
  rows.forEach((row, index) => {
    const folder = row.folder_path?.trim();
    if (!folder)
      throw new ConfigError(
        fileLabel,
        `row ${index + 2} has no folder_path`,
        'Every row needs the folder name it applies to.',
      );
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
  private readonly watched: WatchedFile<FolderDefaults>;

  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
    onError: (error: ConfigError) => void,
  ) {
    this.watched = new WatchedFile<FolderDefaults>(
      file,
      storage,
      (text) => parseMetadataDefaults(text),
      new Map(),
      onError,
    );
  }

  /**
   * Reads it now, throwing on a broken file: used at start-up, where bad config must stop us. A
   * missing file is written with its header, for a person to fill in.
   */
  async loadStrict(): Promise<void> {
    if (!(await this.storage.stat(this.file)))
      await this.storage.writeFileAtomic(this.file, `${METADATA_DEFAULTS_HEADER.join(',')}\r\n`);
    await this.watched.current(true);
  }

  async lookup(folderName: string): Promise<Partial<NamingTokens> | undefined> {
    return (await this.watched.current()).get(folderKey(folderName));
  }
}

import { ConfigError } from '../core/errors.js';
import type { StorageRepository } from './storage.repository.js';

/**
 * A file people edit while the daemon runs (`tracking/*.csv`), parsed anew whenever it changes.
 * A missing file is `empty`; an edit that breaks it keeps the last good value and is reported
 * through `onError`, so a typo never stops the work.
 */
export class WatchedFile<T> {
  private value: T;
  private loadedMtimeMs = -1;

  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
    private readonly parse: (text: string) => T,
    private readonly empty: T,
    private readonly onError: (error: ConfigError) => void,
  ) {
    this.value = empty;
  }

  /** The file's value as it is now; `strict` throws on a broken file instead (at start-up, where bad config must stop us). */
  async current(strict = false): Promise<T> {
    const stat = await this.storage.stat(this.file).catch(() => undefined);
    if (!stat) {
      this.value = this.empty;
      this.loadedMtimeMs = -1;
      return this.value;
    }
    if (stat.mtimeMs === this.loadedMtimeMs) return this.value;
    try {
      this.value = this.parse((await this.storage.readText(this.file)) ?? '');
      this.loadedMtimeMs = stat.mtimeMs;
    } catch (error) {
      if (strict || !(error instanceof ConfigError)) throw error;
      this.loadedMtimeMs = stat.mtimeMs;
      this.onError(error);
    }
    return this.value;
  }
}

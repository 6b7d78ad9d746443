import type { PlatformId } from '../core/platform.js';
import type { StorageRepository } from '../store/storage.repository.js';

/** One platform's last fetch of results. */
export interface ResultsStatus {
  readonly lastSuccessAt?: string;
  readonly failure?: { readonly at: string; readonly message: string };
  /** The fingerprint of a key the API refused: it is not tried again until the key changes. */
  readonly refusedKey?: string;
}

/** `data/results-status.json`: when each platform's results were last fetched, and why not when they were not. */
export class ResultsStatusFile {
  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
  ) {}

  async read(): Promise<Record<PlatformId, ResultsStatus>> {
    const text = await this.storage.readText(this.file).catch(() => undefined);
    if (text === undefined) return {};
    try {
      return JSON.parse(text) as Record<PlatformId, ResultsStatus>;
    } catch {
      return {};
    }
  }

  /** Sets a platform's fields; a success clears the refused key (it worked) and keeps the last failure for `status`. */
  async update(platform: PlatformId, change: ResultsStatus): Promise<void> {
    const all = await this.read();
    const before = all[platform] ?? {};
    const next: ResultsStatus = change.lastSuccessAt
      ? { ...before, ...change, refusedKey: undefined }
      : { ...before, ...change };
    await this.storage.writeFileAtomic(this.file, `${JSON.stringify({ ...all, [platform]: next }, null, 2)}\n`, {
      mode: 0o600,
    });
  }
}

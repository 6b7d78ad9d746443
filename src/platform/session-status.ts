import path from 'node:path';
import type { SessionStatus } from '../core/platform.js';
import type { StorageRepository } from '../store/storage.repository.js';

/**
 * `data/session/status.json`: what stops work on the platform, kept across restarts so a refused
 * password is never tried again by a new process, and so `status` can say it beside a running
 * daemon. Absent while nothing stops it. Owner-only, beside the session it describes.
 */
export class SessionStatusFile {
  constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
  ) {}

  async read(): Promise<SessionStatus | undefined> {
    const text = await this.storage.readText(this.file).catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as SessionStatus;
    } catch {
      return undefined;
    }
  }

  async write(status: SessionStatus): Promise<void> {
    await this.storage.ensureDir(path.dirname(this.file), 0o700);
    await this.storage.writeFileAtomic(this.file, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
  }

  async clear(): Promise<void> {
    await this.storage.remove(this.file);
  }
}

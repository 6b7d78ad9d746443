import type { FileStat, StorageRepository } from '../store/storage.repository.js';

interface Watched {
  last: FileStat;
  timer: NodeJS.Timeout;
}

/**
 * Lets a file through once its size and mtime have stopped changing for `stabilityMs`. chokidar's
 * own `awaitWriteFinish` polls only the size, and skips files already there at start.
 */
export class StabilityGate {
  private readonly watched = new Map<string, Watched>();
  /** Files whose first stat is under way. */
  private readonly starting = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly storage: StorageRepository,
    private readonly stabilityMs: number,
    private readonly onStable: (file: string, stat: FileStat) => void,
    private readonly onError: (file: string, error: unknown) => void,
  ) {}

  /** Files not yet stable. */
  get pending(): number {
    return this.watched.size + this.starting.size;
  }

  /** Starts (or keeps) watching a file; a second call for the same file changes nothing. */
  observe(file: string): void {
    if (this.watched.has(file) || this.starting.has(file)) return;
    this.starting.add(file);
    this.storage.entryStat(file).then(
      (stat) => {
        this.starting.delete(file);
        if (stat) this.watched.set(file, { last: stat, timer: this.arm(file) });
        this.settleIfIdle();
      },
      (error: unknown) => {
        this.starting.delete(file);
        this.onError(file, error);
        this.settleIfIdle();
      },
    );
  }

  /** Resolves once no file is waiting to become stable. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    for (const { timer } of this.watched.values()) clearTimeout(timer);
    this.watched.clear();
    this.settleIfIdle();
  }

  private arm(file: string): NodeJS.Timeout {
    return setTimeout(() => void this.check(file), this.stabilityMs);
  }

  private async check(file: string): Promise<void> {
    const entry = this.watched.get(file);
    if (!entry) return;
    try {
      const now = await this.storage.entryStat(file);
      if (now && (now.size !== entry.last.size || now.mtimeMs !== entry.last.mtimeMs)) {
        entry.last = now;
        entry.timer = this.arm(file);
        return;
      }
      this.watched.delete(file);
      if (now) this.onStable(file, now);
    } catch (error) {
      this.watched.delete(file);
      this.onError(file, error);
    }
    this.settleIfIdle();
  }

  private settleIfIdle(): void {
    if (this.pending > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

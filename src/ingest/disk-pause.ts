import type { StorageFaultError } from '../core/errors.js';
import type { ActivityBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { backoff, sleep } from '../core/retry.js';
import type { StorageRepository } from '../store/storage.repository.js';

export interface DiskPauseOptions {
  /** Folders to check when the fault does not say which one refused. */
  readonly folders: readonly string[];
  /** Free space a full disk must have again before work resumes. Default 32 MB. */
  readonly minFreeBytes?: number;
  /** First check after the pause begins; each later one waits twice as long, up to `maxCheckMs`. */
  readonly firstCheckMs?: number;
  readonly maxCheckMs?: number;
}

/**
 * Holds work while the disk refuses writes (full, read-only, permission denied). It says so once,
 * in plain words, checks the folder on a backoff, and lets the work go on once the folder takes a
 * write again. A fault whose folder takes writes right away was not the disk's, and holds nothing.
 */
export class DiskPause {
  private fault: StorageFaultError | undefined;
  private resumed: Promise<void> | undefined;
  private readonly stopped = new AbortController();

  constructor(
    private readonly storage: StorageRepository,
    private readonly events: ActivityBus,
    private readonly log: Logger,
    private readonly options: DiskPauseOptions,
  ) {}

  /** What work waits for, while it waits. */
  get current(): StorageFaultError | undefined {
    return this.fault;
  }

  /** Whether the fault is the disk's: its folder refuses a write now. */
  async holds(fault: StorageFaultError): Promise<boolean> {
    return !(await this.writable(fault));
  }

  /** Enters the pause (once, however many files hit the fault) and resolves when the disk takes writes again. */
  until(fault: StorageFaultError): Promise<void> {
    if (this.resumed) return this.resumed;
    this.fault = fault;
    this.log.warn({ code: fault.code, dir: fault.dir }, `Work paused: ${fault.plain}`);
    this.events.emit('paused', fault.plain);
    this.resumed = this.waitForDisk(fault).then((ok) => {
      this.fault = undefined;
      this.resumed = undefined;
      if (!ok) return;
      this.log.info({ dir: fault.dir }, 'Work resumed: the disk takes writes again');
      this.events.emit('resumed');
    });
    return this.resumed;
  }

  /** Stops checking (shutdown): whatever waits is let go, and resumes on the next start. */
  stop(): void {
    this.stopped.abort();
  }

  private async waitForDisk(fault: StorageFaultError): Promise<boolean> {
    const schedule = { baseMs: this.options.firstCheckMs ?? 5_000, maxMs: this.options.maxCheckMs ?? 300_000 };
    for (let check = 1; ; check += 1) {
      const slept = await sleep(backoff(check, schedule), { signal: this.stopped.signal, ref: false }).then(
        () => true,
        () => false,
      );
      if (!slept) return false;
      if (await this.writable(fault)) return true;
    }
  }

  private async writable(fault: StorageFaultError): Promise<boolean> {
    const minFree = fault.code === 'ENOSPC' || fault.code === 'EDQUOT' ? (this.options.minFreeBytes ?? 32 << 20) : 0;
    for (const dir of fault.dir ? [fault.dir] : this.options.folders)
      if ((await this.storage.diskState(dir, minFree)) !== 'ok') return false;
    return true;
  }
}

import { Serial } from './serial.js';

/**
 * A write that is asked for often and needed soon, not at once (a file people read, made from the
 * database): a burst of asks gives one write, and writes are spaced by `debounceMs`, or by ten times
 * the last write's duration, so at most a tenth of the time goes to them whatever they cost.
 *
 * @public (used by the tracking and inventory services; knip 5 does not trace those imports)
 */
export class CoalescedWrite {
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new Serial();
  private lastDurationMs = 0;

  constructor(
    private readonly write: () => Promise<void>,
    private readonly debounceMs: number,
    /** Told the error of a scheduled write; the next ask tries again. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Asks for a write soon. */
  schedule(): void {
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        this.now().catch(this.onError);
      },
      Math.max(this.debounceMs, this.lastDurationMs * 10),
    );
  }

  /** Writes now, after any write under way. */
  now(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.writes.run(async () => {
      const started = performance.now();
      await this.write();
      this.lastDurationMs = performance.now() - started;
    });
  }

  /** Writes what is scheduled now instead of later, and waits for any write under way: before the process exits. */
  async flush(): Promise<void> {
    if (this.timer) await this.now();
    else await this.writes.settled();
  }
}

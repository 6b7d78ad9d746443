import { csvLine } from '../core/csv.js';
import type { Logger } from '../core/logger.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { INVENTORY_COLUMNS, inventoryRows, type PlatformFacts } from './inventory-rows.js';

/**
 * Keeps `tracking/creative_inventory.csv` in step with the database. The file is replaced whole and
 * atomically, so a spreadsheet opening it at any moment sees a complete file. A rewrite costs time
 * in proportion to the library, so rewrites are spaced by `debounceMs`, and by ten times the last
 * rewrite's duration: at most a tenth of the daemon's time goes to it, whatever the library's size.
 */
export class InventoryService {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastDurationMs = 0;

  constructor(
    private readonly file: string,
    private readonly creatives: Pick<CreativeRepository, 'forEachSegment'>,
    private readonly storage: StorageRepository,
    private readonly log: Logger,
    private readonly debounceMs: number,
    /** Review status on the platform, by file name, from the library cache. */
    private readonly facts?: PlatformFacts,
  ) {}

  /** Asks for a rewrite soon; many calls in a burst give one write. */
  scheduleWrite(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.writeNow().catch((error: unknown) => this.log.error({ err: error, file: this.file }, 'Could not write the inventory; it will be tried again on the next change'));
    }, Math.max(this.debounceMs, this.lastDurationMs * 10));
  }

  /** Writes what is scheduled now instead of later, and waits for any write under way: before the process exits. */
  async flush(): Promise<void> {
    if (this.timer) await this.writeNow();
    else await this.writing.catch(() => undefined);
  }

  /** Writes now, after any write under way. */
  writeNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        const started = performance.now();
        await this.storage.writeFileAtomicFrom(this.file, (append) => this.render(append));
        this.lastDurationMs = performance.now() - started;
      });
    return this.writing;
  }

  /** The CSV, a segment of the database at a time. */
  private async render(append: (chunk: string) => Promise<void>): Promise<void> {
    // A BOM lets spreadsheets read the UTF-8 names (accents, emoji) correctly; CRLF is RFC 4180's line end.
    await append(`\ufeff${csvLine(INVENTORY_COLUMNS)}`);
    await this.creatives.forEachSegment(async (records) => {
      let chunk = '';
      for (const record of records) for (const row of inventoryRows(record, this.facts)) chunk += csvLine(INVENTORY_COLUMNS.map((column) => row[column]));
      await append(chunk);
    });
  }
}

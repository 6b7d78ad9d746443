import { stringify } from 'csv-stringify/sync';
import type { Logger } from '../logger.js';
import type { CreativeIndex } from '../repositories/creative-index.js';
import type { StorageRepository } from '../repositories/storage.repository.js';
import { INVENTORY_COLUMNS, inventoryRows } from './inventory-rows.js';

/**
 * Keeps `tracking/creative_inventory.csv` in step with the database. The file is replaced whole and
 * atomically, so a spreadsheet opening it at any moment sees a complete file. Rewrites are spaced
 * by `debounceMs`, since the file grows with the library.
 */
export class InventoryService {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly index: CreativeIndex,
    private readonly storage: StorageRepository,
    private readonly log: Logger,
    private readonly debounceMs: number,
  ) {}

  /** Asks for a rewrite soon; many calls in a burst give one write. */
  scheduleWrite(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.writeNow().catch((error: unknown) => this.log.error({ err: error, file: this.file }, 'Could not write the inventory; it will be tried again on the next change'));
    }, this.debounceMs);
  }

  /** Writes now, after any write under way. */
  writeNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.catch(() => undefined).then(() => this.storage.writeFileAtomic(this.file, this.render()));
    return this.writing;
  }

  render(): string {
    const records = [...this.index.values()].sort((a, b) => Number(a.key.slice(1)) - Number(b.key.slice(1)));
    const rows = records.flatMap(inventoryRows);
    // A BOM lets spreadsheets read the UTF-8 names (accents, emoji) correctly; CRLF is RFC 4180's line end.
    return stringify(rows, { header: true, columns: [...INVENTORY_COLUMNS], bom: true, record_delimiter: 'windows' });
  }
}

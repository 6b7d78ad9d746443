import path from 'node:path';
import { CoalescedWrite } from '../core/coalesced-write.js';
import { csvLine, neutraliseCell } from '../core/csv.js';
import type { Logger } from '../core/logger.js';
import type { CreativeRecord } from '../core/record.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { INVENTORY_COLUMNS, inventoryRows, type PlatformFacts } from './inventory-rows.js';

export interface InventoryOptions {
  /** `tracking/creative_inventory.csv`. */
  readonly file: string;
  /**
   * Where each database segment's rows are kept once rendered (`data/inventory/`): a rewrite renders
   * only the segments that changed, and copies the rest.
   */
  readonly partsDir: string;
  /** The shortest wait between a change and the rewrite it asks for. */
  readonly debounceMs: number;
  /** Review statuses and campaigns, from the library caches and the campaign ads. */
  readonly facts?: PlatformFacts;
  /**
   * The files those facts are kept in (asked each time: the campaign ads' file changes monthly).
   * One changed after the last rewrite began (a crash between saving them and rewriting) makes the
   * first rewrite of a process render every segment.
   */
  readonly factsFiles?: () => readonly string[];
}

type Creatives = Pick<CreativeRepository, 'segmentNumbers' | 'segmentRecords' | 'savedVersion' | 'segmentOf' | 'index'>;

/**
 * What the rows are made by: raise it with any change to the rows (their columns, their cells), so
 * that parts rendered by an older build are rendered again, not copied under a new header.
 */
const ROWS_FORMAT = `2:${INVENTORY_COLUMNS.length}`;
/** A part's first line: its rows' format, the segment version they were rendered from, and their length in bytes. */
const PART_HEAD = /^(\S+) (\d+) (\d+)\n/;
/** Filesystems keep modification times to a second or two: a facts file this close before a rewrite counts as after it. */
const MTIME_MARGIN_MS = 2_000;

/**
 * Keeps `tracking/creative_inventory.csv` in step with the database. The file is replaced whole and
 * atomically, so a spreadsheet opening it at any moment sees a complete file. Each segment's rows
 * are rendered once and kept beside the database, so a rewrite reads only the segments changed
 * since, and otherwise costs a copy of the file. Rewrites are coalesced ({@link CoalescedWrite}).
 */
export class InventoryService {
  private readonly writes: CoalescedWrite;
  /** Segments whose facts changed since their rows were rendered. */
  private staleFacts = new Set<number>();
  /** Whether the kept rows may be trusted for their facts: checked on the first rewrite of a process. */
  private factsChecked = false;
  private readonly partBuffer = Buffer.alloc(1 << 20);

  constructor(
    private readonly creatives: Creatives,
    private readonly storage: StorageRepository,
    private readonly log: Logger,
    private readonly options: InventoryOptions,
  ) {
    this.writes = new CoalescedWrite(
      () => this.write(),
      options.debounceMs,
      (error) =>
        this.log.error(
          { err: error, file: this.options.file },
          'Could not write the inventory; it will be tried again on the next change',
        ),
    );
  }

  /** Asks for a rewrite soon; many calls in a burst give one write. */
  scheduleWrite(): void {
    this.writes.schedule();
  }

  /** Facts changed about creatives not known by name (a campaign's ads with ids the cache lacks): every row is rendered again. */
  allFactsChanged(): void {
    for (const number of this.creatives.segmentNumbers()) this.staleFacts.add(number);
  }

  /** The platform's facts about these creatives (by name as the platform shows it) changed: their rows are rendered again. */
  factsChanged(names: Iterable<string>): void {
    for (const name of names) {
      const entry = this.creatives.index.byName(name);
      if (entry) this.staleFacts.add(this.creatives.segmentOf(entry.key));
    }
  }

  /** Writes what is scheduled now instead of later, and waits for any write under way: before the process exits. */
  flush(): Promise<void> {
    return this.writes.flush();
  }

  /** Writes now, after any write under way. */
  writeNow(): Promise<void> {
    return this.writes.now();
  }

  private async write(): Promise<void> {
    // Taken first: a facts change after this moment is marked stale for the next rewrite, or is newer than the marker.
    const begun = new Date().toISOString();
    const stale = this.staleFacts;
    this.staleFacts = new Set();
    try {
      const trustFacts = this.factsChecked || (await this.factsUnchanged());
      await this.storage.writeFileAtomicFrom(this.options.file, (append) =>
        this.render(append, (number) => trustFacts && !stale.has(number)),
      );
      await this.storage.writeFileAtomic(this.markerFile(), begun);
      this.factsChecked = true;
    } catch (error) {
      for (const number of stale) this.staleFacts.add(number);
      throw error;
    }
  }

  /** The CSV, a segment at a time: kept rows where they are still true, rendered rows elsewhere. */
  private async render(
    append: (chunk: string | Uint8Array) => Promise<void>,
    mayReuse: (segment: number) => boolean,
  ): Promise<void> {
    // A BOM lets spreadsheets read the UTF-8 names (accents, emoji) correctly; CRLF is RFC 4180's line end.
    await append(`\ufeff${csvLine(INVENTORY_COLUMNS)}`);
    for (const number of this.creatives.segmentNumbers()) {
      const version = this.creatives.savedVersion(number);
      const kept = version !== undefined && mayReuse(number) ? await this.keptRows(number, version) : undefined;
      if (kept) {
        await append(kept);
        continue;
      }
      const rows = this.rows(await this.creatives.segmentRecords(number));
      await append(rows);
      // Kept only when no change came while the records were read: the version must say what the rows show.
      // Otherwise the old part goes too, so that rows made from facts since replaced can never be copied.
      if (version !== undefined && this.creatives.savedVersion(number) === version)
        await this.storage.writeRebuildable(
          this.partFile(number),
          `${ROWS_FORMAT} ${version} ${Buffer.byteLength(rows)}\n${rows}`,
        );
      else await this.storage.remove(this.partFile(number));
    }
  }

  private rows(records: readonly CreativeRecord[]): string {
    let chunk = '';
    // Every cell is for people (the file is opened in a spreadsheet, and no program reads it back): a dropped file named `=HYPERLINK(…)` must not run.
    for (const record of records)
      for (const row of inventoryRows(record, this.options.facts))
        chunk += csvLine(INVENTORY_COLUMNS.map((column) => neutraliseCell(row[column])));
    return chunk;
  }

  /** A segment's kept rows, when they were rendered from this version and are whole. */
  private async keptRows(number: number, version: number): Promise<Buffer | undefined> {
    // One buffer for every part: a rewrite at 100k reads 100 MB of them, and fresh buffers make the collector work.
    const part = await this.storage.readReusing(this.partFile(number), this.partBuffer).catch(() => undefined);
    const head = part ? PART_HEAD.exec(part.subarray(0, 60).toString('latin1')) : null;
    if (!part || !head || head[1] !== ROWS_FORMAT || Number(head[2]) !== version) return undefined;
    const rows = part.subarray(head[0].length);
    return rows.length === Number(head[3]) ? rows : undefined;
  }

  /** Whether no facts file changed after the last rewrite began. */
  private async factsUnchanged(): Promise<boolean> {
    const began = Date.parse((await this.storage.readText(this.markerFile()).catch(() => undefined)) ?? '');
    if (Number.isNaN(began)) return false;
    const stats = await Promise.all((this.options.factsFiles?.() ?? []).map((file) => this.storage.stat(file)));
    return stats.every((stat) => !stat || stat.mtimeMs < began - MTIME_MARGIN_MS);
  }

  private partFile(number: number): string {
    return path.join(this.options.partsDir, `segment-${String(number).padStart(4, '0')}.csv`);
  }

  /** When the last finished rewrite began: a facts file changed since may not be in its rows. */
  private markerFile(): string {
    return path.join(this.options.partsDir, 'rendered-at');
  }
}

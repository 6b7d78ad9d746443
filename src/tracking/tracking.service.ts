import { stringify } from 'csv-stringify/sync';
import { missingCampaignSettings, type CampaignTemplate } from '../config/campaign-template.js';
import { batchNumber } from '../core/batch.js';
import { CoalescedWrite } from '../core/coalesced-write.js';
import { neutraliseCell } from '../core/csv.js';
import { localStamp } from '../core/dates.js';
import { baseName, fileName } from '../core/files.js';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { ArchivedBatch, UploadOutcome } from '../core/outcomes.js';
import type { OutputFile } from '../core/record.js';
import { platformName, type PlatformId } from '../core/platform.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { LibraryRepository } from '../store/library.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { NATIVE_HEADER, PREROLL_HEADER } from '../core/campaign-format.js';
import { nativeRows, prerollRows, renderCampaignCsvs, type NativeAd, type PrerollAd } from './campaign-csv.js';
import { creativeType, uniqueIdOf } from './inventory-rows.js';
import { writeLibraryCsv } from './library-csv.js';

/**
 * The origin's columns. `batch_id` is the archive batch (the NNN of `archive/batch_NNN-…` and of
 * `Upload_CSV/BatchNNN_…`, so the three join); `upload_batch` numbers the groups sent in this run.
 */
const UPLOAD_STATUS_COLUMNS = [
  'unique_id',
  'file_name',
  'file_path',
  'upload_date',
  'upload_time',
  'platform',
  'tj_creative_id',
  'status',
  'error_message',
  'creative_type',
  'native_pair_id',
  'batch_id',
  'upload_batch',
  'retries',
  'exo_creative_id',
] as const;

/** The platform column as the origin's files write it. */
const PLATFORM_COLUMN: Readonly<Record<PlatformId, string>> = { tj: 'TrafficJunky', exoclick: 'ExoClick' };

/** What the tracking files are made from. */
export interface TrackingDeps {
  readonly layout: Layout;
  readonly storage: StorageRepository;
  readonly creatives: CreativeRepository;
  /** TJ's library cache: the library export is TJ's. */
  readonly library: LibraryRepository;
  readonly template: CampaignTemplate;
  readonly log: Logger;
  /** The shortest wait between a change of the library cache and the export's rewrite: none unless given. */
  readonly exportDebounceMs?: number;
}

/**
 * The files people and TJ_tool read after an upload run, all written atomically: the run's
 * `upload_status_*.csv`, `TJ_Creative_Library.csv` in step with the library cache, and each
 * archive batch's `Upload_CSV/Batch{NNN}_*_{Native|Preroll}.csv`.
 */
export class TrackingService {
  /** The library cache's generation the export was last written from. */
  private exportedGeneration = -1;
  private readonly libraryExport: CoalescedWrite;

  constructor(private readonly deps: TrackingDeps) {
    this.libraryExport = new CoalescedWrite(
      () => this.exportLibrary(),
      deps.exportDebounceMs ?? 0,
      (error) =>
        this.deps.log.error(
          { err: error, file: this.deps.layout.libraryCsv },
          'Could not write the library export; it will be tried again on the next change',
        ),
    );
  }

  async writeUploadStatus(outcomes: readonly UploadOutcome[], now = new Date()): Promise<string> {
    const rows: string[][] = [];
    for (const outcome of outcomes) {
      const record = await this.deps.creatives.load(outcome.key);
      const output = record?.outputs?.find((candidate) => fileName(candidate.path) === fileName(outcome.path));
      const at = new Date(outcome.at);
      rows.push([
        record && output ? uniqueIdOf(record, output) : '',
        fileName(outcome.path),
        output?.path ?? outcome.path,
        at.toISOString().slice(0, 10),
        at.toISOString().slice(11, 19),
        PLATFORM_COLUMN[outcome.platform] ?? platformName(outcome.platform),
        outcome.platform === 'tj' ? (outcome.creativeId ?? '') : '',
        outcome.status,
        outcome.message ?? '',
        record && output ? creativeType(record, output) : '',
        record?.kind === 'native' && record.naming ? `ID-${record.naming.id}` : '',
        record?.archive && record.archive.batch > 0 ? batchNumber(record.archive.batch) : '',
        outcome.batch === undefined ? '' : String(outcome.batch),
        String(outcome.retries),
        outcome.platform === 'exoclick' ? (outcome.creativeId ?? '') : '',
      ]);
    }
    // For people only (no program reads it back): every cell neutralised, as a file name or a platform's message may look like a formula.
    const cells = rows.map((row) => row.map(neutraliseCell));
    return this.deps.storage.writeNewFile(
      this.deps.layout.uploadStatusFile(localStamp(now)),
      stringify([[...UPLOAD_STATUS_COLUMNS], ...cells], { record_delimiter: 'windows', bom: true }),
    );
  }

  /**
   * Asks for `TJ_Creative_Library.csv` to be written again soon: a pass does not wait for a rewrite
   * of the whole library, and a burst of passes gives one.
   */
  scheduleLibraryExport(): void {
    this.libraryExport.schedule();
  }

  /** Writes a scheduled export now: before the process exits. */
  flush(): Promise<void> {
    return this.libraryExport.flush();
  }

  /** `TJ_Creative_Library.csv` now (after any write of it under way), written again only when the cache changed since the last time. */
  writeLibraryExport(): Promise<void> {
    return this.libraryExport.now();
  }

  private async exportLibrary(): Promise<void> {
    const generation = this.deps.library.generation;
    if (generation === this.exportedGeneration && (await this.deps.storage.exists(this.deps.layout.libraryCsv))) return;
    await this.deps.storage.writeFileAtomicFrom(this.deps.layout.libraryCsv, (append) =>
      writeLibraryCsv(this.deps.library, append),
    );
    this.exportedGeneration = generation;
  }

  /**
   * Writes a batch's campaign CSVs, under names fixed by the batch, so writing them again replaces
   * them. With placeholder settings they are named `…_NOT_READY.csv` and `missing` names the
   * settings to set. Only creatives with real ids go in: a dry run archives nothing, so it never writes one.
   */
  async writeCampaignCsvs(
    batch: ArchivedBatch,
    replacing: readonly string[] = [],
  ): Promise<{ files: string[]; missing: string[] }> {
    const native: NativeAd[] = [];
    const preroll: PrerollAd[] = [];
    for (const record of batch.records) {
      const tokens = {
        category: record.naming?.tokens.category ?? '',
        description: record.naming?.tokens.description ?? '',
        creator: record.naming?.tokens.creator ?? '',
      };
      const video = record.outputs?.find((output) => output.role === 'video');
      const image = record.outputs?.find((output) => output.role === 'image');
      const creative = record.outputs?.find((output) => output.role === 'creative');
      if (record.kind === 'native' && idOf(video) && idOf(image))
        native.push({
          name: baseName(video?.path ?? ''),
          videoId: idOf(video) ?? '',
          thumbnailId: idOf(image) ?? '',
          tokens,
        });
      if (record.kind === 'preroll' && idOf(creative))
        preroll.push({ name: baseName(creative?.path ?? ''), creativeId: idOf(creative) ?? '', tokens });
    }
    const written: string[] = [];
    const missing = new Set<string>();
    const groups = [
      {
        kind: 'native',
        label: 'Native',
        header: NATIVE_HEADER,
        rows: nativeRows(native, this.deps.template),
        quoteAll: true,
      },
      {
        kind: 'preroll',
        label: 'Preroll',
        header: PREROLL_HEADER,
        rows: prerollRows(preroll, this.deps.template),
        quoteAll: false,
      },
    ] as const;
    for (const group of groups) {
      if (group.rows.length === 0) continue;
      const unset = missingCampaignSettings(this.deps.template, group.kind);
      for (const setting of unset) missing.add(setting);
      for (const [i, content] of renderCampaignCsvs(group.header, group.rows, group.quoteAll).entries()) {
        const file = this.deps.layout.uploadCsvFile(batch.batch, batch.stamp, group.label, i + 1, unset.length === 0);
        await this.deps.storage.writeFileAtomic(file, content);
        written.push(file);
      }
    }
    // The NOT_READY files an earlier write left, once replaced by ready ones.
    for (const file of replacing) if (!written.includes(file)) await this.deps.storage.remove(file);
    if (missing.size > 0)
      this.deps.log.warn(
        { files: written, missing: [...missing] },
        `Campaign CSVs written as NOT_READY: set ${[...missing].join(', ')} in .env, and they are written again ready`,
      );
    else if (written.length > 0) this.deps.log.info({ files: written }, 'Wrote campaign CSVs for TJ_tool');
    return { files: written, missing: [...missing] };
  }
}

function idOf(output: OutputFile | undefined): string | undefined {
  const upload = output?.uploads?.tj;
  return upload && (upload.status === 'uploaded' || upload.status === 'duplicate') ? upload.creativeId : undefined;
}

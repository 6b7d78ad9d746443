import { stringify } from 'csv-stringify/sync';
import type { CampaignTemplate } from '../config/campaign-template.js';
import { localStamp } from '../core/dates.js';
import { baseName, fileName } from '../core/files.js';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { ArchivedBatch, UploadOutcome } from '../core/outcomes.js';
import type { OutputFile } from '../core/record.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { LibraryRepository } from '../store/library.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { NATIVE_HEADER, nativeRows, PREROLL_HEADER, prerollRows, renderCampaignCsvs, type NativeAd, type PrerollAd } from './campaign-csv.js';
import { creativeType, uniqueIdOf } from './inventory-rows.js';
import { renderLibraryCsv } from './library-csv.js';

const UPLOAD_STATUS_COLUMNS = ['unique_id', 'file_name', 'file_path', 'upload_date', 'upload_time', 'platform', 'tj_creative_id', 'status', 'error_message', 'creative_type', 'native_pair_id', 'batch_id', 'retries'] as const;

/**
 * The files people and TJ_tool read after an upload run, all written atomically: the run's
 * `upload_status_*.csv`, `TJ_Creative_Library.csv` in step with the library cache, and each
 * archive batch's `Upload_CSV/Batch{NNN}_*_{Native|Preroll}.csv`.
 */
export class TrackingService {
  constructor(
    private readonly layout: Layout,
    private readonly storage: StorageRepository,
    private readonly creatives: CreativeRepository,
    private readonly library: LibraryRepository,
    private readonly template: CampaignTemplate,
    private readonly log: Logger,
  ) {}

  async writeUploadStatus(outcomes: readonly UploadOutcome[], now = new Date()): Promise<string> {
    const rows: string[][] = [];
    for (const outcome of outcomes) {
      const record = await this.creatives.load(outcome.key);
      const output = record?.outputs?.find((candidate) => fileName(candidate.path) === fileName(outcome.path));
      const at = new Date(outcome.at);
      rows.push([
        record && output ? uniqueIdOf(record, output) : '',
        fileName(outcome.path),
        output?.path ?? outcome.path,
        at.toISOString().slice(0, 10),
        at.toISOString().slice(11, 19),
        'TrafficJunky',
        outcome.creativeId ?? '',
        outcome.status,
        outcome.message ?? '',
        record && output ? creativeType(record, output) : '',
        record?.kind === 'native' && record.naming ? `ID-${record.naming.id}` : '',
        outcome.batch === undefined ? '' : String(outcome.batch),
        String(outcome.retries),
      ]);
    }
    return this.storage.writeNewFile(this.layout.uploadStatusFile(localStamp(now)), stringify([[...UPLOAD_STATUS_COLUMNS], ...rows], { record_delimiter: 'windows', bom: true }));
  }

  async writeLibraryExport(): Promise<void> {
    await this.storage.writeFileAtomic(this.layout.libraryCsv, renderLibraryCsv(this.library));
  }

  /** Only creatives with real ids go in: a dry run archives nothing, so it never writes one. */
  async writeCampaignCsvs(batch: ArchivedBatch, now = new Date()): Promise<string[]> {
    const native: NativeAd[] = [];
    const preroll: PrerollAd[] = [];
    for (const record of batch.records) {
      const tokens = { category: record.naming?.tokens.category ?? '', description: record.naming?.tokens.description ?? '', creator: record.naming?.tokens.creator ?? '' };
      const video = record.outputs?.find((output) => output.role === 'video');
      const image = record.outputs?.find((output) => output.role === 'image');
      const creative = record.outputs?.find((output) => output.role === 'creative');
      if (record.kind === 'native' && idOf(video) && idOf(image)) native.push({ name: baseName(video?.path ?? ''), videoId: idOf(video) ?? '', thumbnailId: idOf(image) ?? '', tokens });
      if (record.kind === 'preroll' && idOf(creative)) preroll.push({ name: baseName(creative?.path ?? ''), creativeId: idOf(creative) ?? '', tokens });
    }
    const written: string[] = [];
    const stamp = localStamp(now);
    const groups: [string, readonly string[], string[][], boolean][] = [
      ['Native', NATIVE_HEADER, nativeRows(native, this.template), true],
      ['Preroll', PREROLL_HEADER, prerollRows(preroll, this.template), false],
    ];
    for (const [kind, header, rows, quoteAll] of groups) {
      if (rows.length === 0) continue;
      const files = renderCampaignCsvs(header, rows, quoteAll);
      for (const [i, content] of files.entries()) {
        const file = this.layout.uploadCsvFile(batch.batch, stamp, kind, i + 1);
        await this.storage.writeFileAtomic(file, content);
        written.push(file);
      }
    }
    if (written.length > 0) this.log.info({ files: written }, 'Wrote campaign CSVs for TJ_tool');
    return written;
  }
}

function idOf(output: OutputFile | undefined): string | undefined {
  const upload = output?.upload;
  return upload && (upload.status === 'uploaded' || upload.status === 'duplicate') ? upload.creativeId : undefined;
}


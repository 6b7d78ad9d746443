import { createHash } from 'node:crypto';
import { readLibraryExport } from './csv-formats.js';

/** The Media Library tabs a creative can sit in. */
export const TABS = ['native', 'in_stream_video', 'static', 'video'] as const;
export type Tab = (typeof TABS)[number];
export type ReviewStatus = 'pending' | 'approved' | 'rejected';

export interface SimCreative {
  readonly id: string;
  /** As TJ shows it: the file name without its extension. */
  readonly name: string;
  readonly fileType: string;
  readonly dimensions: string;
  readonly tab: Tab;
  /** 0 Static Banner, 1 Rollover, for the native tab. */
  readonly nativeType: 0 | 1;
  readonly sha256: string;
  readonly uploadDate: string;
  reviewStatus: ReviewStatus;
}

/** First id handed out; TJ's ids are 10-digit numbers, e.g. 1032530571. */
const FIRST_ID = 1_032_600_001;

/** The library: newest first, as TJ lists it. */
export class SimLibrary {
  private readonly creatives: SimCreative[] = [];
  private nextId = FIRST_ID;

  get all(): readonly SimCreative[] {
    return this.creatives;
  }

  hasName(name: string): boolean {
    return this.creatives.some((creative) => creative.name === name);
  }

  add(fields: Omit<SimCreative, 'id' | 'reviewStatus'> & { id?: string; reviewStatus?: ReviewStatus }): SimCreative {
    const id = fields.id ?? String(this.nextId);
    this.nextId = Math.max(this.nextId, Number(id)) + 10;
    const creative: SimCreative = { ...fields, id, reviewStatus: fields.reviewStatus ?? 'pending' };
    this.creatives.unshift(creative);
    return creative;
  }

  /** One page (1-based) of a tab, newest first; the Native tab lists the chosen sub-type only, as TJ's does. */
  page(tab: Tab, nativeType: 0 | 1, page: number, perPage: number): { creatives: SimCreative[]; pages: number } {
    const listed = this.creatives.filter(
      (creative) => creative.tab === tab && (tab !== 'native' || creative.nativeType === nativeType),
    );
    return {
      creatives: listed.slice((page - 1) * perPage, page * perPage),
      pages: Math.max(1, Math.ceil(listed.length / perPage)),
    };
  }

  setReviewStatus(id: string, status: ReviewStatus): boolean {
    const creative = this.creatives.find((candidate) => candidate.id === id);
    if (creative) creative.reviewStatus = status;
    return creative !== undefined;
  }

  /**
   * Loads a library export (`creative_id,filename,upload_date,dimensions,file_type,creative_type,review_status`),
   * oldest last in the file as TJ exports it. Videos go to the native tab's Rollover unless In-Stream.
   */
  seedFromCsv(text: string): number {
    const rows = readLibraryExport(text);
    for (const row of [...rows].reverse()) {
      const type = row.creative_type.toLowerCase();
      const status = row.review_status.toLowerCase();
      this.add({
        id: row.creative_id,
        name: row.filename,
        fileType: `.${row.file_type.replace(/^\./, '')}`,
        dimensions: row.dimensions,
        tab: tabOfExportType(type),
        nativeType: type.includes('video') || type.includes('rollover') ? 1 : 0,
        sha256: createHash('sha256').update(`seed:${row.creative_id}`).digest('hex'),
        uploadDate: row.upload_date,
        reviewStatus: status === 'approved' || status === 'rejected' ? status : 'pending',
      });
    }
    return rows.length;
  }
}

/** The export's `creative_type` (`Native Rollover`, `In-Stream Video`, `native_image`…) to its tab. */
function tabOfExportType(type: string): Tab {
  if (type.includes('stream')) return 'in_stream_video';
  if (type.includes('native') || type.includes('rollover')) return 'native';
  return type.includes('video') ? 'video' : 'static';
}

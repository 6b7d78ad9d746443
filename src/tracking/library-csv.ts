import fs from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { LibraryRepository } from '../store/library.repository.js';

export const LIBRARY_EXPORT_COLUMNS = ['creative_id', 'filename', 'upload_date', 'dimensions', 'file_type', 'creative_type', 'review_status'] as const;

/** A row of TJ's library export: `creative_id,filename,upload_date,dimensions,file_type,creative_type,review_status`. */
export interface LibraryExportRow {
  readonly creative_id: string;
  readonly filename: string;
  readonly upload_date: string;
  readonly dimensions: string;
  readonly file_type: string;
  readonly creative_type: string;
  readonly review_status: string;
}

export function parseLibraryExport(text: string): LibraryExportRow[] {
  const rows: Record<string, string>[] = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true });
  return rows
    .filter((row) => row.creative_id && row.filename)
    .map((row) => ({
      creative_id: row.creative_id ?? '',
      filename: row.filename ?? '',
      upload_date: row.upload_date ?? '',
      dimensions: row.dimensions ?? '',
      file_type: row.file_type ?? '',
      creative_type: row.creative_type ?? '',
      review_status: row.review_status ?? 'pending',
    }));
}

/** Fills the library cache from an export, so current users keep their history; returns the rows read. */
export async function importLibraryCsv(file: string, library: LibraryRepository): Promise<number> {
  const rows = parseLibraryExport(await fs.readFile(file, 'utf8'));
  for (const row of rows) {
    library.set(row.filename, {
      creativeId: row.creative_id,
      dimensions: row.dimensions,
      fileType: row.file_type.startsWith('.') ? row.file_type : `.${row.file_type}`,
      reviewStatus: row.review_status,
      creativeType: row.creative_type,
      uploadDate: row.upload_date,
    });
  }
  await library.save();
  return rows.length;
}

import { parse } from 'csv-parse/sync';
import { restoreCell } from './csv.js';

/**
 * TJ's library export, `TJ_Creative_Library.csv`: these columns, in this order. The product writes
 * `tracking/TJ_Creative_Library.csv` in it and reads a team's existing one, so it sits in core.
 */
export const LIBRARY_EXPORT_COLUMNS = [
  'creative_id',
  'filename',
  'upload_date',
  'dimensions',
  'file_type',
  'creative_type',
  'review_status',
] as const;

export type LibraryExportRow = Readonly<Record<(typeof LIBRARY_EXPORT_COLUMNS)[number], string>>;

/** Rows of an export; rows without an id or a file name are skipped. Names scraped from TJ have no extension. */
export function parseLibraryExport(text: string): LibraryExportRow[] {
  const rows: Record<string, string>[] = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true });
  return rows
    .filter((row) => row.creative_id && row.filename)
    .map((row) => ({
      creative_id: row.creative_id ?? '',
      // Ours neutralises a name that looks like a formula (`writeLibraryCsv`): the name as it was.
      filename: restoreCell(row.filename ?? ''),
      upload_date: row.upload_date ?? '',
      dimensions: row.dimensions ?? '',
      file_type: row.file_type ?? '',
      creative_type: row.creative_type ?? '',
      review_status: row.review_status ?? 'pending',
    }));
}

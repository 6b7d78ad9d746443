import { stringify } from 'csv-stringify/sync';
import { LIBRARY_EXPORT_COLUMNS, parseLibraryExport } from '../platform/tj/library-export.js';
import type { LibraryRepository } from '../store/library.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';

/** Fills the library cache from an export, so current users keep their history; returns the rows read. */
export async function importLibraryCsv(file: string, library: LibraryRepository, storage: StorageRepository): Promise<number> {
  const rows = parseLibraryExport((await storage.readText(file)) ?? '');
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

/** The library cache as TJ's own export, newest id first. */
export function renderLibraryCsv(library: Pick<LibraryRepository, 'entries'>): string {
  const rows = library
    .entries()
    .sort(([, a], [, b]) => b.creativeId.localeCompare(a.creativeId))
    .map(([name, entry]) => [entry.creativeId, name, entry.uploadDate, entry.dimensions, entry.fileType.replace(/^\./, ''), entry.creativeType, entry.reviewStatus]);
  return stringify([[...LIBRARY_EXPORT_COLUMNS], ...rows], { record_delimiter: 'unix' });
}

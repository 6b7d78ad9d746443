import { csvLine, neutraliseCell } from '../core/csv.js';
import { LIBRARY_EXPORT_COLUMNS, parseLibraryExport } from '../core/library-export.js';
import type { LibraryRepository } from '../store/library.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';

/** Fills the library cache from an export, so current users keep their history; returns the rows read. */
export async function importLibraryCsv(
  file: string,
  library: LibraryRepository,
  storage: StorageRepository,
): Promise<number> {
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

/**
 * The library cache as TJ's own export, newest id first, given to `append` a thousand rows at a time.
 * TJ never reads this file back; people open it. Its names are anyone's (creatives others uploaded
 * to the account), so the name is neutralised for spreadsheets, and {@link parseLibraryExport}
 * restores it; the other cells are TJ's ids, dates, sizes and words, kept byte for byte.
 */
export async function writeLibraryCsv(
  library: Pick<LibraryRepository, 'entries'>,
  append: (chunk: string) => Promise<void>,
): Promise<void> {
  let csv = csvLine(LIBRARY_EXPORT_COLUMNS, '\n');
  const newestFirst = library
    .entries()
    .sort(([, a], [, b]) => (a.creativeId < b.creativeId ? 1 : a.creativeId > b.creativeId ? -1 : 0));
  for (const [i, [name, entry]] of newestFirst.entries()) {
    csv += csvLine(
      [
        entry.creativeId,
        neutraliseCell(name),
        entry.uploadDate,
        entry.dimensions,
        entry.fileType.replace(/^\./, ''),
        entry.creativeType,
        entry.reviewStatus,
      ],
      '\n',
    );
    if (i % 1_000 === 999) {
      await append(csv);
      csv = '';
    }
  }
  await append(csv);
}

import { parse } from 'csv-parse/sync';
import { ConfigError } from './errors.js';

/**
 * Rows of a CSV that people edit in a spreadsheet (`tracking/*.csv`): headers compared without
 * case, a BOM allowed, cells trimmed, empty lines skipped. A file that is not CSV is said plainly,
 * with its name.
 */
export function parsePeopleCsv(text: string, fileLabel: string): Record<string, string>[] {
  try {
    return parse(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new ConfigError(fileLabel, `is not valid CSV: ${(error as Error).message}`, 'Fix the file in a spreadsheet and save it as CSV.');
  }
}

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

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * One CSV line (RFC 4180, CRLF): a cell is quoted when it holds a comma, a quote or a line break,
 * or starts or ends with a space. Hand-rolled for the inventory and the library export, which
 * write every row of the library: csv-stringify costs about half of a rewrite. `lineEnd`: `\n` for
 * files in TJ's own export format.
 */
export function csvLine(cells: readonly string[], lineEnd = '\r\n'): string {
  let line = '';
  for (let i = 0; i < cells.length; i += 1) {
    const cell = cells[i] ?? '';
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  }
  return `${line}${lineEnd}`;
}

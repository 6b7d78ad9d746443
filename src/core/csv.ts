import { parse } from 'csv-parse/sync';
import { ConfigError } from './errors.js';

/**
 * Rows of a CSV that people edit in a spreadsheet (`tracking/*.csv`): headers compared without
 * case, a BOM allowed, cells trimmed, empty lines skipped. A file that is not CSV is said plainly,
 * with its name.
 */
export function parsePeopleCsv(text: string, fileLabel: string): Record<string, string>[] {
  try {
    return parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    throw new ConfigError(
      fileLabel,
      `is not valid CSV: ${(error as Error).message}`,
      'Fix the file in a spreadsheet and save it as CSV.',
    );
  }
}

/**
 * A cell a spreadsheet would take for a formula (`=HYPERLINK(…)`, `+`, `-`, `@`, a tab or a CR
 * first), or one that already starts with our quote before such a character, whatever quotes it
 * already starts with.
 */
const FORMULA_LIKE = /^'*[=+\-@\t\r]/;

/**
 * A cell meant for people (a name, a reason, a path, a note), made safe to open in a spreadsheet:
 * one `'` in front of anything a spreadsheet would run as a formula. A cell that already starts
 * with quotes before such a character gets one more, so {@link restoreCell} gives back every value
 * exactly. Never for cells a platform reads (TJ's campaign CSVs): a bid of `-0.1` stays as it is.
 */
export function neutraliseCell(cell: string): string {
  return FORMULA_LIKE.test(cell) ? `'${cell}` : cell;
}

/** The value {@link neutraliseCell} was given: for a file we wrote and read back. */
export function restoreCell(cell: string): string {
  return cell.startsWith("'") && FORMULA_LIKE.test(cell) ? cell.slice(1) : cell;
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

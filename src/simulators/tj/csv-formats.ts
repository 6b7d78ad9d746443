import { parse } from 'csv-parse/sync';

/**
 * TJ's CSV formats as the simulator reads them, written from TJ-CONTRACT.md ("CSV limits" and
 * "CSV formats", lines 153–170) and sharing no code with the adapter's own (`core/campaign-format.ts`,
 * `core/library-export.ts`): a mistake in ours is then refused here as the real site would.
 */

export type SimAdKind = 'native' | 'preroll';
export type SimAdRow = Readonly<Record<string, string>>;

/** The headers, as the contract quotes them (TJ-CONTRACT.md:163–166). */
const HEADERS: Readonly<Record<SimAdKind, readonly string[]>> = {
  native: ['Ad Name', 'Target URL', 'Video Creative ID', 'Thumbnail Creative ID', 'Headline', 'Brand Name'],
  preroll: [
    'Ad Name',
    'Target URL',
    'Creative ID',
    'Custom CTA Text',
    'Custom CTA URL',
    'Banner CTA Creative ID',
    'Banner CTA Title',
    'Banner CTA Subtitle',
    'Banner CTA URL',
    'Tracking Pixel',
  ],
};

/** The columns that name a creative, by kind. */
const CREATIVE_COLUMNS: Readonly<Record<SimAdKind, readonly string[]>> = {
  native: ['Video Creative ID', 'Thumbnail Creative ID'],
  preroll: ['Creative ID', 'Banner CTA Creative ID'],
};

/** TJ-CONTRACT.md:153–159: at most 500 KB and 1–50 rows, and these lengths. */
const MAX_BYTES = 500_000;
const MAX_ROWS = 50;
const MAX_LENGTHS: Readonly<Record<string, number>> = {
  'Ad Name': 64,
  Headline: 87,
  'Brand Name': 25,
  'Custom CTA Text': 25,
  'Banner CTA Title': 25,
  'Banner CTA Subtitle': 30,
};

/** A "Mass create with CSV" file as TJ checks it: its kind (by its header), its rows, and what TJ refuses in it. */
export function readMassCreateCsv(text: string): { kind: SimAdKind | undefined; rows: SimAdRow[]; problems: string[] } {
  let table: string[][];
  try {
    table = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true });
  } catch {
    return { kind: undefined, rows: [], problems: ['the file is not CSV'] };
  }
  const [header = [], ...lines] = table;
  const kind = (Object.keys(HEADERS) as SimAdKind[]).find(
    (each) =>
      HEADERS[each].length === header.length && HEADERS[each].every((column, i) => header[i]?.trim() === column),
  );
  const problems: string[] = [];
  if (!kind) problems.push('the header is not one of TJ’s');
  if (Buffer.byteLength(text) > MAX_BYTES)
    problems.push(`it is ${Buffer.byteLength(text)} bytes; TJ takes at most ${MAX_BYTES}`);
  if (lines.length < 1 || lines.length > MAX_ROWS)
    problems.push(`it has ${lines.length} ads; TJ takes 1 to ${MAX_ROWS} a file`);
  const rows = lines.map((cells) => Object.fromEntries(header.map((column, i) => [column.trim(), cells[i] ?? ''])));
  rows.forEach((row, index) => {
    for (const [column, max] of Object.entries(MAX_LENGTHS)) {
      const length = (row[column] ?? '').length;
      if (length > max) problems.push(`line ${index + 2}: ${column} is ${length} characters; TJ takes at most ${max}`);
    }
  });
  return { kind, rows, problems };
}

/** The creative ids a row names, in its kind's columns. */
export function creativeIdsOfRow(row: SimAdRow, kind: SimAdKind): string[] {
  return CREATIVE_COLUMNS[kind].map((column) => row[column] ?? '').filter((id) => id !== '');
}

/** A library export's columns (TJ-CONTRACT.md:168). */
const EXPORT_COLUMNS = [
  'creative_id',
  'filename',
  'upload_date',
  'dimensions',
  'file_type',
  'creative_type',
  'review_status',
] as const;
export type SimExportRow = Readonly<Record<(typeof EXPORT_COLUMNS)[number], string>>;

/** A library export's rows, each column read by its name (empty where a row lacks it). */
export function readLibraryExport(text: string): SimExportRow[] {
  const rows: Record<string, string>[] = parse(text, {
    bom: true,
    columns: true,
    skip_empty_lines: true,
    relax_column_count: true,
  });
  return rows.map(
    (row) => Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, row[column] ?? ''])) as SimExportRow,
  );
}

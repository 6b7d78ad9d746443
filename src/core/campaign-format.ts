import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { AdKind } from './platform.js';

export type { AdKind };

/**
 * TJ's "Mass create with CSV" format (TJ-CONTRACT.md, examples/): the headers, exactly as TJ and
 * TJ_tool expect them, and TJ's limits. The campaign CSVs are written to it, checked against it
 * before anything is sent. (The simulator reads TJ's formats with its own code, from the contract.)
 * The product's campaign rows are in this
 * format for every platform (ExoClick's variations are made from the same rows), so it sits in
 * core rather than in TJ's folder.
 */
export const NATIVE_HEADER = [
  'Ad Name',
  'Target URL',
  'Video Creative ID',
  'Thumbnail Creative ID',
  'Headline',
  'Brand Name',
] as const;
export const PREROLL_HEADER = [
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
] as const;

/** TJ's limits: field lengths in characters, rows and bytes a file. */
export const LIMITS = {
  adName: 64,
  headline: 87,
  brand: 25,
  ctaText: 25,
  bannerTitle: 25,
  bannerSubtitle: 30,
  rows: 50,
  bytes: 500_000,
} as const;

/** A column and its limit. */
const FIELD_LIMITS: Readonly<Record<string, number>> = {
  'Ad Name': LIMITS.adName,
  Headline: LIMITS.headline,
  'Brand Name': LIMITS.brand,
  'Custom CTA Text': LIMITS.ctaText,
  'Banner CTA Title': LIMITS.bannerTitle,
  'Banner CTA Subtitle': LIMITS.bannerSubtitle,
};

/** The columns holding creative ids, by kind. */
export const CREATIVE_COLUMNS: Readonly<Record<AdKind, readonly string[]>> = {
  native: ['Video Creative ID', 'Thumbnail Creative ID'],
  preroll: ['Creative ID', 'Banner CTA Creative ID'],
};

/** One ad of a campaign CSV: its row as TJ reads it. */
export type AdRow = Readonly<Record<string, string>>;

export interface ParsedCampaignCsv {
  /** Undefined when the header is neither TJ's native nor its preroll header. */
  readonly kind: AdKind | undefined;
  readonly header: readonly string[];
  readonly rows: readonly AdRow[];
  /** What breaks TJ's rules, each naming its line (the header is line 1). */
  readonly problems: readonly string[];
}

/** Reads a campaign CSV and checks it against TJ's format and limits. */
export function parseCampaignCsv(text: string): ParsedCampaignCsv {
  let table: string[][];
  try {
    table = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    return { kind: undefined, header: [], rows: [], problems: [`it is not valid CSV (${(error as Error).message})`] };
  }
  const [header = [], ...lines] = table;
  const kind = sameHeader(header, NATIVE_HEADER)
    ? 'native'
    : sameHeader(header, PREROLL_HEADER)
      ? 'preroll'
      : undefined;
  const problems: string[] = [];
  if (!kind) problems.push(`line 1: the header is neither TJ's native nor its preroll header (${header.join(',')})`);
  if (Buffer.byteLength(text) > LIMITS.bytes)
    problems.push(`it is ${Buffer.byteLength(text)} bytes; TJ takes at most ${LIMITS.bytes}`);
  if (lines.length < 1 || lines.length > LIMITS.rows)
    problems.push(`it has ${lines.length} ads; TJ takes 1 to ${LIMITS.rows} a file`);
  const rows = lines.map((cells) => Object.fromEntries(header.map((column, i) => [column, cells[i] ?? ''])));
  rows.forEach((row, index) => {
    for (const [column, limit] of Object.entries(FIELD_LIMITS)) {
      const value = row[column];
      if (value !== undefined && value.length > limit)
        problems.push(`line ${index + 2}: ${column} is ${value.length} characters; TJ takes at most ${limit}`);
    }
  });
  return { kind, header, rows, problems };
}

/** The creative ids an ad uses. */
export function creativeIdsOf(row: AdRow, kind: AdKind): string[] {
  return CREATIVE_COLUMNS[kind].map((column) => row[column] ?? '').filter((id) => id !== '');
}

/** Columns holding URLs, where TJ_tool's `sub11=CAMPAIGN_NAME` takes the campaign's name. */
const URL_COLUMNS = ['Target URL', 'Custom CTA URL', 'Banner CTA URL'];

/** The rows with `CAMPAIGN_NAME` in their URLs replaced by the campaign's name, as TJ_tool does. */
export function withCampaignName(rows: readonly AdRow[], campaignName: string): AdRow[] {
  const name = encodeURIComponent(campaignName);
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([column, value]) => [
        column,
        URL_COLUMNS.includes(column) ? value.replaceAll('CAMPAIGN_NAME', name) : value,
      ]),
    ),
  );
}

/** The file TJ takes for these rows, in its format: the values exactly, never neutralised for spreadsheets, as TJ reads each one. */
export function renderCampaignRows(header: readonly string[], rows: readonly AdRow[]): string {
  return stringify([[...header], ...rows.map((row) => header.map((column) => row[column] ?? ''))], {
    quoted: true,
    record_delimiter: 'unix',
  });
}

function sameHeader(header: readonly string[], expected: readonly string[]): boolean {
  return header.length === expected.length && header.every((column, i) => column.trim() === expected[i]);
}

import { TjReportingError } from './transport.js';

/**
 * TJ's reporting answers read as the contract gives them (STATS-CONTRACT.md), with its habits:
 * ids as numbers or texts, figures as numbers or texts, the spend as `revenue` or `cost`, and an
 * empty keyed answer as `[]` (what PHP makes of an empty map). Anything else is an error of the
 * call, never a guess: a figure that does not read as a number fails the whole fetch.
 */

export interface TjCampaign {
  readonly id: string;
  readonly name: string;
  readonly status: string;
}

export interface TjAd {
  readonly id: string;
  readonly name: string;
}

/** One ad's figures for the range asked; the spend in millionths of a dollar, so sums stay exact to the cent. */
export interface TjAdFigures {
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly costMicros: number;
}

type Row = Readonly<Record<string, unknown>>;

function rowsOf(body: unknown, what: string): Row[] {
  if (!Array.isArray(body))
    throw new TjReportingError(what, 200, `a list was expected, and the answer is ${shapeOf(body)}`);
  return body.map((row, index) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw new TjReportingError(what, 200, `item ${index + 1} of the list is ${shapeOf(row)}, not an object`);
    return row as Row;
  });
}

/** An id as TJ gives it: a whole number, or its digits as text. */
function idOf(value: unknown, field: string, what: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return value.trim();
  throw new TjReportingError(what, 200, `${field} is ${shapeOf(value)}, not an id`);
}

/** A field read as text: a string or a number as it is, anything else (absent, an object) as nothing. */
function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export function campaignsOf(body: unknown, what: string): TjCampaign[] {
  return rowsOf(body, what).map((row) => ({
    id: idOf(row.campaign_id, 'campaign_id', what),
    name: textOf(row.campaign_name),
    status: textOf(row.status),
  }));
}

export function adsOf(body: unknown, what: string): TjAd[] {
  // An ad with no name is kept: its figures are still counted, as not ours.
  return rowsOf(body, what).map((row) => ({
    id: idOf(row.ad_id, 'ad_id', what),
    name: typeof row.ad_name === 'string' ? row.ad_name : '',
  }));
}

/**
 * Each ad's figures, by ad id: an object keyed by ad id (the contract's shape), or a list of rows
 * carrying `ad_id`, or `[]` for none.
 */
export function adFiguresOf(body: unknown, what: string): Map<string, TjAdFigures> {
  const figures = new Map<string, TjAdFigures>();
  const add = (id: string, value: unknown): void => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new TjReportingError(what, 200, `ad ${id}'s figures are ${shapeOf(value)}, not an object`);
    if (figures.has(id)) throw new TjReportingError(what, 200, `ad ${id} is in the answer twice`);
    figures.set(id, figuresOf(value as Row, id, what));
  };
  if (Array.isArray(body)) {
    for (const row of rowsOf(body, what)) add(idOf(row.ad_id, 'ad_id', what), row);
  } else if (typeof body === 'object' && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      // A `message` beside the figures is a note, not an ad (a message alone is an error, judged by the transport).
      if (key === 'message' && typeof value === 'string') continue;
      add(idOf(key, 'a key', what), value);
    }
  } else {
    throw new TjReportingError(what, 200, `figures by ad id were expected, and the answer is ${shapeOf(body)}`);
  }
  return figures;
}

function figuresOf(row: Row, id: string, what: string): TjAdFigures {
  const named = ['impressions', 'clicks', 'conversions', 'revenue', 'cost'].filter((field) => row[field] !== undefined);
  if (named.length === 0)
    throw new TjReportingError(
      what,
      200,
      `ad ${id}'s entry holds none of impressions, clicks, conversions, revenue or cost`,
    );
  // `revenue` is what the advertiser spent (the contract); some answers call it `cost`.
  const spend = row.revenue !== undefined ? 'revenue' : 'cost';
  return {
    impressions: numberOf(row.impressions, `ad ${id}'s impressions`, what),
    clicks: numberOf(row.clicks, `ad ${id}'s clicks`, what),
    conversions: numberOf(row.conversions, `ad ${id}'s conversions`, what),
    costMicros: Math.round(numberOf(row[spend], `ad ${id}'s ${spend}`, what) * 1_000_000),
  };
}

/** A figure: a number, or one as text (`"1234"`, `"12.50"`, `"1,234.5"`); absent, null or empty is none. */
export function numberOf(value: unknown, field: string, what: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return 0;
    // Thousands commas only where they group by three: "1,5" is not taken for 15.
    const plain = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(text) ? text.replaceAll(',', '') : text;
    if (/^-?\d+(?:\.\d+)?$/.test(plain)) return Number(plain);
  }
  throw new TjReportingError(what, 200, `${field} is ${shapeOf(value)}, not a number`);
}

/** What a value is, for an error's words: never the whole value, which could be anything. */
function shapeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text "${value.slice(0, 40)}"`;
  if (typeof value === 'object') return 'an object';
  const shown =
    typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : typeof value;
  return `${typeof value} ${shown.slice(0, 40)}`;
}

import { TjReportingError } from './transport.js';

/**
 * Reading a list TJ pages by `limit` and `offset`, stopping at a short page (STATS-CONTRACT.md).
 * Whether `offset` counts rows or pages is unsure, and a wrong guess loses rows without a sign:
 * with rows counted, `offset=500` of a pages-counting API is page 500, empty, and the list would
 * seem to end after its first page. So when the first page is full, one probe at `offset=1` tells
 * the two apart (rows: the first page shifted by one; pages from 0: a new page; pages from 1, or
 * an offset ignored: the first page again), and the walk goes on in that meaning. Lists shorter
 * than a page, nearly all of them, cost one call. Items are kept once by key, so an overlap is
 * never counted twice; a page that brings nothing new ends the walk, and is said.
 */

export interface PageReader<T> {
  /** The list's route, for errors: `GET ads/123.json`. */
  readonly what: string;
  /** One page: at most `limit` items from `offset`, whatever the API makes of it. */
  read(limit: number, offset: number): Promise<readonly T[]>;
  keyOf(item: T): string;
  /** Says something odd about the list (a limit ignored, a page repeated), once, for the log. */
  note(words: string): void;
}

/** Pages read before the walk gives up: 10,000 pages of 500 is far past any account. */
const MAX_PAGES = 10_000;

export async function readAllPages<T>(reader: PageReader<T>, limit: number): Promise<T[]> {
  const items = new Map<string, T>();
  /** Adds a page's items; how many were new. */
  const keep = (page: readonly T[]): number => {
    let added = 0;
    for (const item of page) {
      const key = reader.keyOf(item);
      if (!items.has(key)) {
        items.set(key, item);
        added += 1;
      }
    }
    return added;
  };
  const first = await reader.read(limit, 0);
  keep(first);
  if (first.length > limit)
    reader.note(`the API gave ${first.length} items for a limit of ${limit}: taken as the whole list`);
  if (first.length !== limit) return [...items.values()];

  const probe = await reader.read(limit, 1);
  if (probe.length === 0) return [...items.values()];
  const firstKeys = first.map((item) => reader.keyOf(item));
  const probeKeys = probe.map((item) => reader.keyOf(item));
  const countsRows = limit > 1 && sameKeys(probeKeys.slice(0, limit - 1), firstKeys.slice(1));
  const repeatsFirst = sameKeys(probeKeys, firstKeys);
  const added = keep(probe);
  if (probe.length < limit && !repeatsFirst) return [...items.values()];
  if (probe.length > limit || (!countsRows && !repeatsFirst && added === 0)) {
    reader.note(`the second page brought nothing new or more than the limit: the list was read as ${items.size} items`);
    return [...items.values()];
  }
  // Rows: items 0..limit are in hand, so the next starts at limit + 1. Pages: 0 and 1 (from 0) or 1 (from 1) are read; page 2 is next either way.
  let offset = countsRows ? limit + 1 : 2;
  for (let pages = 2; ; pages += 1) {
    if (pages >= MAX_PAGES)
      throw new TjReportingError(reader.what, 200, `the list goes on past ${MAX_PAGES} pages; it was not read whole`);
    const page = await reader.read(limit, offset);
    const fresh = keep(page);
    if (page.length > 0 && fresh === 0) {
      reader.note(
        `the page at offset ${offset} repeated items already read (the API may ignore offset): the list was read as ${items.size} items`,
      );
      break;
    }
    if (page.length < limit) break;
    if (page.length > limit) {
      reader.note(`the API gave ${page.length} items for a limit of ${limit}: taken as the rest of the list`);
      break;
    }
    offset += countsRows ? limit : 1;
  }
  return [...items.values()];
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, index) => key === b[index]);
}

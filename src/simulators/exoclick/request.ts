import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, readForm, readText } from '../http.js';

/** ExoClick's error shape: `{"message": "…"}`. */
export function fail(res: ServerResponse, status: number, message: string): void {
  json(res, status, { message });
}

function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A JSON route's body: 415 for another content type, 400 for one that does not parse; undefined once answered. */
export async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<{ value: unknown } | undefined> {
  if (contentType(req) !== 'application/json') {
    req.resume();
    fail(res, 415, 'Unsupported Media Type: send Content-Type: application/json.');
    return undefined;
  }
  try {
    return { value: JSON.parse(await readText(req)) as unknown };
  } catch {
    fail(res, 400, 'The request body is not valid JSON.');
    return undefined;
  }
}

/** A multipart route's body: 415 for another content type, 400 for one that does not parse; undefined once answered. */
export async function formBody(req: IncomingMessage, res: ServerResponse): Promise<FormData | undefined> {
  if (contentType(req) !== 'multipart/form-data') {
    req.resume();
    fail(res, 415, 'Unsupported Media Type: send multipart/form-data.');
    return undefined;
  }
  try {
    return await readForm(req);
  } catch {
    fail(res, 400, 'The multipart body could not be decoded.');
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An id as clients send it: a positive integer, or its digits in a string (form fields are strings). */
export function idOf(value: unknown): number | undefined {
  const id = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** Largest page a list answers. Asking more is a 400, not a silent cut: a cut page would look like the last one. */
export const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 50;

export interface Paging {
  readonly limit: number;
  readonly offset: number;
  readonly descending: boolean;
}

/** `orderBy` (a:id or d:id, else the given default), `limit` (1–500, default 50) and `offset` (≥ 0); 400 and undefined for others. */
export function pagingOf(url: URL, res: ServerResponse, defaultOrder: 'a:id' | 'd:id'): Paging | undefined {
  const orderBy = url.searchParams.get('orderBy') || defaultOrder;
  if (orderBy !== 'a:id' && orderBy !== 'd:id')
    return void fail(res, 400, `orderBy must be a:id or d:id, not "${orderBy}".`);
  const limitText = url.searchParams.get('limit') || String(DEFAULT_LIMIT);
  const offsetText = url.searchParams.get('offset') || '0';
  const limit = /^\d+$/.test(limitText) ? Number(limitText) : NaN;
  const offset = /^\d+$/.test(offsetText) ? Number(offsetText) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT))
    return void fail(res, 400, `limit must be an integer from 1 to ${MAX_LIMIT}.`);
  if (!(offset >= 0)) return void fail(res, 400, 'offset must be an integer of 0 or more.');
  return { limit, offset, descending: orderBy === 'd:id' };
}

/** One page of things with ids, in the order asked. */
export function pageOf<T extends { id: number }>(items: readonly T[], paging: Paging): T[] {
  const sorted = [...items].sort((a, b) => (paging.descending ? b.id - a.id : a.id - b.id));
  return sorted.slice(paging.offset, paging.offset + paging.limit);
}

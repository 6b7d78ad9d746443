import type { NamingTokens } from '../core/record.js';

export const UNKNOWN = 'UNK';

/** Allowed values of the enumerated tokens, in their canonical spelling. */
export const ALLOWED = {
  modelSex: ['M', 'F', 'T', 'MFT'],
  style: ['Anime', 'Real', 'Both'],
  rating: ['NSFW', 'SFW'],
} as const satisfies Partial<Record<keyof NamingTokens, readonly string[]>>;

export const TOKEN_ORDER = ['language', 'category', 'modelSex', 'style', 'rating', 'description', 'creator'] as const;

/**
 * Cleans a token to `[A-Za-z0-9-]`: accents are folded to plain letters, and everything else is
 * dropped (spaces too, as the origin's `Cum on Face` became `CumonFace`).
 */
/** A description made from a file's own name stops at this many characters (a whole word where it can). */
export const DESCRIPTION_FROM_NAME_MAX = 40;

/**
 * The `Description` token from a dropped file's own name, so a person can find their file:
 * `my "best" clip 🎬` → `my-best-clip`. Undefined when nothing is left of it.
 */
export function descriptionFromFileName(name: string): string | undefined {
  const cleaned = cleanToken(name.replace(/[\s_.]+/g, '-'));
  if (cleaned === '') return undefined;
  if (cleaned.length <= DESCRIPTION_FROM_NAME_MAX) return cleaned;
  const cut = cleaned.slice(0, DESCRIPTION_FROM_NAME_MAX);
  const lastDash = cut.lastIndexOf('-');
  return lastDash >= DESCRIPTION_FROM_NAME_MAX / 2 ? cut.slice(0, lastDash) : cut;
}

export function cleanToken(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9-]/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
}

/** The canonical spelling of an enumerated token, or undefined when it is not an allowed value. */
export function canonicalEnum(token: keyof typeof ALLOWED, value: string): string | undefined {
  const wanted = value.trim().toLowerCase();
  return ALLOWED[token].find((allowed) => allowed.toLowerCase() === wanted);
}

/** What a file already named in the convention tells us. */
export interface ParsedName {
  readonly tokens: Partial<NamingTokens>;
  readonly id: string;
  readonly seconds?: number;
}

// Current convention, and the origin's older one without ModelSex and Style (see examples/).
const CONVENTION =
  /^(?:(?:VID|IMG|ORG)_)?(?<language>[A-Za-z0-9-]+)_(?<category>[A-Za-z0-9-]+)_(?:(?<modelSex>M|F|T|MFT|UNK)_(?<style>Anime|Real|Both|UNK)_)?(?<rating>NSFW|SFW|UNK)_(?<description>[A-Za-z0-9-]+)_(?<creator>[A-Za-z0-9-]+)(?:_(?<seconds>\d+)sec)?(?:_T-(?<testId>[A-Za-z0-9-]+))?_ID-(?<id>[0-9A-Fa-f]{8})(?:-(?:VID|IMG))?$/;

/** Parses a base name (no extension) in the naming convention; undefined when it is not one. */
export function parseConventionName(baseName: string): ParsedName | undefined {
  const groups = CONVENTION.exec(baseName)?.groups;
  if (!groups) return undefined;
  const tokens: Record<string, string> = {};
  for (const key of [...TOKEN_ORDER, 'testId'] as const) {
    const value = groups[key];
    if (value !== undefined && value !== UNKNOWN) tokens[key] = value;
  }
  const id = groups.id?.toUpperCase() ?? '';
  return groups.seconds === undefined ? { tokens, id } : { tokens, id, seconds: Number(groups.seconds) };
}

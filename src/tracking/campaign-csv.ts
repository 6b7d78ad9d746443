import { stringify } from 'csv-stringify/sync';
import type { CampaignTemplate } from '../config/campaign-template.js';
import { LIMITS } from '../core/campaign-format.js';

export interface NativeAd {
  /** The video's name without extension: `VID_…_ID-X-VID`. */
  readonly name: string;
  readonly videoId: string;
  readonly thumbnailId: string;
  readonly tokens: Readonly<Record<'category' | 'description' | 'creator', string>>;
}

export interface PrerollAd {
  readonly name: string;
  readonly creativeId: string;
  readonly tokens: Readonly<Record<'category' | 'description' | 'creator', string>>;
}

/**
 * Shortens an ad name to TJ's limit. The team reads these names in TJ's dashboard and compares tests
 * by them, and the results join an ad to its creative by its `ID-`: the description is cut first,
 * then the creator (each to one character at least), and the seconds, `T-…`, `ID-…` and every `_`
 * stay whole. Only a name still too long after that loses the end of its head tokens.
 */
export function fitAdName(name: string, limit = LIMITS.adName): string {
  if (name.length <= limit) return name;
  const parts = name.split('_');
  const id = parts.findIndex((part) => part.startsWith('ID-'));
  if (id < 0) return name.slice(0, limit);
  // Before the ID: `T-…` when set, then `Nsec` when a video, then the creator and the description.
  let creator = id - 1;
  if (parts[creator]?.startsWith('T-')) creator -= 1;
  if (/^\d+sec$/.test(parts[creator] ?? '')) creator -= 1;
  for (const at of [creator - 1, creator]) {
    const token = parts[at];
    if (at < 0 || token === undefined) continue;
    const over = parts.join('_').length - limit;
    if (over <= 0) break;
    parts[at] = token.slice(0, Math.max(1, token.length - over));
  }
  const fitted = parts.join('_');
  if (fitted.length <= limit) return fitted;
  const tail = parts.slice(Math.max(0, creator + 1)).join('_');
  return `${fitted.slice(0, Math.max(0, limit - tail.length - 1))}_${tail}`.slice(-limit);
}

function fill(text: string, tokens: NativeAd['tokens']): string {
  return text.replace(/%(category|description|creator)%/g, (_, token: keyof NativeAd['tokens']) => tokens[token]);
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : text.slice(0, limit);
}

export function nativeRows(ads: readonly NativeAd[], template: CampaignTemplate): string[][] {
  return ads.map((ad) => [
    fitAdName(ad.name),
    template.targetUrl,
    ad.videoId,
    ad.thumbnailId,
    cut(fill(template.headline, ad.tokens), LIMITS.headline),
    cut(fill(template.brand, ad.tokens), LIMITS.brand),
  ]);
}

export function prerollRows(ads: readonly PrerollAd[], template: CampaignTemplate): string[][] {
  return ads.map((ad) => [
    fitAdName(ad.name),
    template.targetUrl,
    ad.creativeId,
    cut(fill(template.ctaText, ad.tokens), LIMITS.ctaText),
    template.ctaUrl,
    '',
    '',
    '',
    '',
    '',
  ]);
}

/**
 * The CSV files for a set of rows: at most 50 rows each, and under 500 KB, split where needed.
 * Native files quote every field, as TJ_tool's do; preroll files quote only where needed.
 * No cell is neutralised for spreadsheets (`neutraliseCell`): these files are for TJ, which reads
 * every value as written, and a quote added in front would land in the ad's name or headline.
 */
export function renderCampaignCsvs(header: readonly string[], rows: readonly string[][], quoteAll: boolean): string[] {
  const render = (chunk: readonly string[][]): string =>
    stringify([header, ...chunk], { quoted: quoteAll, record_delimiter: 'unix' });
  const files: string[] = [];
  let chunk: string[][] = [];
  for (const row of rows) {
    const candidate = [...chunk, row];
    if (candidate.length > LIMITS.rows || Buffer.byteLength(render(candidate)) >= LIMITS.bytes) {
      files.push(render(chunk));
      chunk = [row];
    } else {
      chunk = candidate;
    }
  }
  if (chunk.length > 0) files.push(render(chunk));
  return files;
}

import { stringify } from 'csv-stringify/sync';
import type { CampaignTemplate } from '../config/campaign-template.js';
import { LIMITS } from '../platform/tj/campaign-format.js';

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

/** Shortens an ad name to TJ's limit from the middle, keeping the `_ID-…` suffix that identifies it. */
export function fitAdName(name: string, limit = LIMITS.adName): string {
  if (name.length <= limit) return name;
  const idAt = name.lastIndexOf('_ID-');
  const suffix = idAt >= 0 ? name.slice(idAt) : '';
  return `${name.slice(0, Math.max(0, limit - suffix.length))}${suffix}`.slice(0, limit);
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
  return ads.map((ad) => [fitAdName(ad.name), template.targetUrl, ad.creativeId, cut(fill(template.ctaText, ad.tokens), LIMITS.ctaText), template.ctaUrl, '', '', '', '', '']);
}

/**
 * The CSV files for a set of rows: at most 50 rows each, and under 500 KB, split where needed.
 * Native files quote every field, as TJ_tool's do; preroll files quote only where needed.
 * No cell is neutralised for spreadsheets (`neutraliseCell`): these files are for TJ, which reads
 * every value as written, and a quote added in front would land in the ad's name or headline.
 */
export function renderCampaignCsvs(header: readonly string[], rows: readonly string[][], quoteAll: boolean): string[] {
  const render = (chunk: readonly string[][]): string => stringify([header as string[], ...chunk], { quoted: quoteAll, record_delimiter: 'unix' });
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

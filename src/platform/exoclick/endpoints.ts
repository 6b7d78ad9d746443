/**
 * Everything the adapter knows of ExoClick's API v2, in one place, each as `EXO-CONTRACT.md`
 * records it. Where the contract is unsure, both variants are named here and the adapter handles
 * each.
 */
export const EXO = {
  login: 'login',
  libraryFile: 'library/file',
  libraryUrl: 'library/url',
  campaigns: 'campaigns',
  campaign: (id: string) => `campaigns/${encodeURIComponent(id)}`,
  /** Older clients: one variation per multipart POST. */
  variationMultipart: (id: string) => `campaigns/${encodeURIComponent(id)}/variation`,
  /** Newer clients: a JSON array PUT; an entry without `idvariation` is created. */
  variationsJson: (id: string) => `campaigns/${encodeURIComponent(id)}/variations`,
  /** A page of the library: `type` is required, ids ascending, paged until a short page. */
  pageSize: 200,
  /**
   * STATS-CONTRACT.md: the global statistics route, a JSON POST of `filter`, `group_by`, `limit`
   * and `offset`; its calls count against a rate-limit bucket of their own.
   */
  statisticsGlobal: 'statistics/a/global',
  /** Rows per statistics page: public clients ask up to 5000. */
  statisticsPageSize: 5000,
  rateLimit: { limit: 'x-rate-limit-limit', remaining: 'x-rate-limit-remaining', reset: 'x-rate-limit-reset' },
} as const;

/** ExoClick's library file types. */
export type ExoFileType = 'image' | 'video' | 'video_banner';

/** A file object of the media library, as the API answers it (only the fields we read). */
export interface ExoFile {
  readonly id: number;
  readonly type?: string;
  readonly width?: number;
  readonly height?: number;
  readonly file_hash_original?: string;
  readonly file_extension?: string;
  readonly file_name?: string;
  readonly status?: number;
  readonly is_archived?: boolean | number;
}

/** A campaign's variation (ad), as the API answers it. */
export interface ExoVariation {
  readonly idvariation: number;
  readonly name?: string;
  readonly description?: string;
  readonly brand?: string;
  readonly idvariations_file?: number | string;
  readonly idvariations_url?: number | string | null;
  readonly active?: boolean | number;
  readonly status?: number | string;
}

/**
 * A variation exactly as the API answered it: the fields we read, typed, and every other one kept
 * as the JSON it was, so a PUT that replaces the list can send it back whole.
 */
export type ExoVariationRecord = ExoVariation & { readonly [field: string]: unknown };

/**
 * What a file's integer `status` means: the contract names the field, not its values. Known values
 * read as words; any other is shown as the number it is, never guessed.
 */
export const FILE_STATUS_WORDS: Readonly<Record<number, string>> = { 0: 'pending', 1: 'approved', 2: 'rejected' };

export function reviewStatusOf(status: number | undefined): string {
  if (status === undefined) return 'unknown';
  return FILE_STATUS_WORDS[status] ?? `status ${status}`;
}

/** The name ExoClick's library shows a file under, compared with ours: without its extension. */
export function exoName(file: ExoFile): string {
  return (file.file_name ?? '').replace(/\.[A-Za-z0-9]{2,5}$/, '');
}

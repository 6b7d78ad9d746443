/**
 * What every platform shows of its creatives, in our terms: the uploader interface, the library
 * cache and the tracking files all speak these types.
 */

/** A platform's id, as `PLATFORMS` names it (`tj`, `exoclick`, or another registered platform's). */
export type PlatformId = string;

/** How people call a platform, and its refusal of the credentials ("password refused"), in logs, `status` and the report. */
export interface PlatformWords {
  readonly name: string;
  readonly refusal: string;
  /** The credential it refuses, and the `.env` key that holds it: for the notice that says what to fix. */
  readonly credential: { readonly what: string; readonly key: string };
}

/**
 * The platforms, by id, with their words, in the order they were registered: the two built in
 * first, then any the platform registry adds (`platform/registry.ts`). The order is kept: a
 * segment's summary stores one bit per platform in it.
 */
const PLATFORM_WORDS = new Map<PlatformId, PlatformWords>([
  ['tj', { name: 'TJ', refusal: 'password refused', credential: { what: 'the password', key: 'TJ_PASSWORD' } }],
  [
    'exoclick',
    { name: 'ExoClick', refusal: 'API token refused', credential: { what: 'the API token', key: 'EXO_API_TOKEN' } },
  ],
]);

/** Every platform's id, in registration order: kept, since a segment summary's row asks for it per record. */
let ids: readonly PlatformId[] = [...PLATFORM_WORDS.keys()];

/** Every platform's id, in registration order. */
export function platformIds(): readonly PlatformId[] {
  return ids;
}

/** How people call a platform; its id when it is not registered. */
export function platformName(id: PlatformId): string {
  return PLATFORM_WORDS.get(id)?.name ?? id;
}

/** What `status` and the report call a platform's refusal of its credentials. */
export function platformRefusal(id: PlatformId): string {
  return PLATFORM_WORDS.get(id)?.refusal ?? 'credentials refused';
}

/** The credential a platform refuses, and its `.env` key. */
export function platformCredential(id: PlatformId): PlatformWords['credential'] {
  return PLATFORM_WORDS.get(id)?.credential ?? { what: 'its credentials', key: 'its settings' };
}

/** Adds a platform's id and words, after those known so far; the platform registry calls it. */
export function addPlatformId(id: PlatformId, words: PlatformWords): void {
  if (PLATFORM_WORDS.has(id)) return;
  PLATFORM_WORDS.set(id, words);
  ids = [...PLATFORM_WORDS.keys()];
}

/** Orders two creative ids as numbers (ids grow over time, so the larger is the newer creative). */
export function compareCreativeIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Where a creative goes on the platform, in our terms; each adapter maps it to its own. */
export type UploadTarget = 'native-static' | 'native-rollover' | 'in-stream' | 'static-banner';

/** One creative as the platform's library lists it. */
export interface LibraryCard {
  readonly creativeId: string;
  /** As the platform shows it: the file name without its extension. */
  readonly name: string;
  readonly dimensions: string;
  readonly fileType: string;
  readonly reviewStatus: string;
}

/** A card from a full walk of the library, with the listing it was found in. */
export interface ListedCard extends LibraryCard {
  /** The listing's own name, as TJ's export writes it: `Native Rollover`, `In-Stream Video`, `Static Banner`… */
  readonly creativeType: string;
}

/** What we know of one creative on the platform: the library cache's entry. */
export interface LibraryEntry extends Omit<LibraryCard, 'name'> {
  readonly creativeType: string;
  readonly uploadDate: string;
  /** When `reviewStatus` last changed, as seen by a status sync; for the daily report. */
  readonly reviewChangedAt?: string;
  readonly previousReviewStatus?: string;
}

/** Why work on the platform waits for a person, as `status` and the daily report show it. */
export interface SessionStatus {
  readonly state: 'login-required' | 'password-refused';
  /** When it began (ISO). */
  readonly since: string;
  /** What to do, in plain words. */
  readonly message: string;
  /** For `password-refused`: a fingerprint of the refused username and password, never the password. */
  readonly credentials?: string;
}

/** The kind of ads a campaign holds, and so the CSV it takes: native, or pre-roll (in-stream). */
export type AdKind = 'native' | 'preroll';

/** The ads to create in one campaign, in the platform's CSV format: a header and rows by column. */
export interface AdsRequest {
  readonly kind: AdKind;
  readonly header: readonly string[];
  readonly rows: readonly Readonly<Record<string, string>>[];
}

/** An ad by its name, and why it was not created. */
export interface AdProblem {
  readonly adName: string;
  readonly reason: string;
}

/** What became of the ads sent to one campaign, each told by its name in the campaign's table. */
export interface CreateAdsOutcome {
  readonly campaignName: string;
  /** Already in the campaign before anything was sent (a run cut short): not sent again. */
  readonly alreadyThere: readonly string[];
  /** Sent, and in the campaign's table afterwards. */
  readonly created: readonly string[];
  /** Refused by the platform: creatives not valid for the campaign. */
  readonly refused: readonly AdProblem[];
  /** The creative ids the platform called not valid. */
  readonly invalidIds: readonly string[];
  /** Sent, but not in the table afterwards (an error while creating). */
  readonly missing: readonly AdProblem[];
}

/**
 * What every platform shows of its creatives, in our terms: the uploader interface, the library
 * cache and the tracking files all speak these types.
 */

/** The platforms a creative may be sent to (`PLATFORMS`). */
export const PLATFORM_IDS = ['tj', 'exoclick'] as const;
export type PlatformId = (typeof PLATFORM_IDS)[number];

/** How people call each platform, in logs, `status` and the report. */
export const PLATFORM_NAMES: Readonly<Record<PlatformId, string>> = { tj: 'TJ', exoclick: 'ExoClick' };

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

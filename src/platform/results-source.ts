import { CreativeFlowError } from '../core/errors.js';
import { platformName, type PlatformId } from '../core/platform.js';

/**
 * What a platform's reporting API says about our creatives: the third thing each platform does,
 * beside uploading and creating ads. Each platform's client lives in its folder and is reached
 * through this interface only.
 */

/** One creative's figures on one platform for one day. */
export interface CreativeDayFigures {
  /** Our creative's `ID-XXXXXXXX`, as its file name carries it. */
  readonly uniqueId: string;
  /** `YYYY-MM-DD`, in the platform's reporting day (TJ: America/New_York). */
  readonly day: string;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  /** What the advertiser spent, in US dollars. */
  readonly cost: number;
}

/** Figures of ads or variations that are none of ours (no `ID-` we know): counted apart, never guessed. */
export interface NotOursFigures {
  readonly day: string;
  /** How many ads (TJ) or variations (ExoClick) they are. */
  readonly items: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly cost: number;
}

/** One fetch of whole days: every day asked is complete in it, or the fetch throws. */
export interface ResultsFetch {
  /** Summed per creative and day: a creative in several ads or campaigns gets one row a day. */
  readonly rows: readonly CreativeDayFigures[];
  readonly notOurs: readonly NotOursFigures[];
}

/** Tells a platform's own ids back to our creatives. */
export interface CreativeIds {
  /** Whether `ID-XXXXXXXX` is one of our creatives. */
  isOurs(uniqueId: string): boolean;
  /** Our creative's `ID-XXXXXXXX` for an ExoClick library file id (`exo_creative_id`), if it is ours. */
  uniqueIdOfExoFile(fileId: string): string | undefined;
}

export interface ResultsSource {
  readonly platform: PlatformId;
  /**
   * Each of our creatives' figures for each of `days` (`YYYY-MM-DD`, ascending). Throws
   * {@link ResultsKeyRefusedError} when the key is refused, and any other error when a day could
   * not be read whole: the caller then keeps the figures it had.
   */
  fetchDays(days: readonly string[], ids: CreativeIds, signal?: AbortSignal): Promise<ResultsFetch>;
}

/** The reporting API refused its key: said once, as a refused password is, until the key changes. */
export class ResultsKeyRefusedError extends CreativeFlowError {
  constructor(
    readonly platform: PlatformId,
    detail: string,
  ) {
    super(`${platformName(platform)}'s reporting API refused the key (${detail})`, {
      hint:
        platform === 'tj'
          ? "Put the API key from TJ's account page in .env as TJ_API_KEY; results are fetched again once it changes."
          : 'Put a valid ExoClick API token in .env as EXO_API_TOKEN; results are fetched again once it changes.',
    });
  }
}

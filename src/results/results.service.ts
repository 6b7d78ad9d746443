import type { Logger } from '../core/logger.js';
import { platformName, type PlatformId } from '../core/platform.js';
import { ResultsKeyRefusedError, type ResultsFetch, type ResultsSource } from '../platform/results-source.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { PlatformDay, ResultsRepository } from '../store/results.repository.js';
import { CreativeDirectory } from './creative-directory.js';
import { daysBefore, reportingDay } from './days.js';
import type { ResultsStatus, ResultsStatusFile } from './results-status.js';
import { resultsTable, type ResultsTable } from './results-table.js';
import type { VerdictSettings } from './verdicts.js';

/** One platform's reporting API, or why its results are not fetched. */
export interface ResultsPlatform {
  readonly platform: PlatformId;
  /** Undefined when the results are not fetched (no key set): `notFetched` says why. */
  readonly source: ResultsSource | undefined;
  readonly notFetched?: string;
  /** Tells the key in use from a refused one without keeping the key. */
  readonly keyFingerprint: string;
}

export interface ResultsOptions {
  /** Days refetched every time, today included, because platforms restate them (`RESULTS_WINDOW_DAYS`, default 3). */
  readonly windowDays: number;
  /** How far back days missing from the store are fetched once (`RESULTS_LOOKBACK_DAYS`, default 30). */
  readonly lookbackDays: number;
  readonly verdicts: VerdictSettings;
}

export interface FetchOutcome {
  readonly platform: PlatformId;
  /** Days fetched and stored. */
  readonly days: number;
  /** Why nothing was stored: no key, a refused key, or the failure; the last good figures stay. */
  readonly skipped?: string;
}

export interface ResultsDeps {
  readonly results: ResultsRepository;
  readonly status: ResultsStatusFile;
  readonly creatives: Pick<CreativeRepository, 'forEachSegment'>;
  /** Rewrites `tracking/creative_results.csv` after a fetch. */
  readonly writeCsv: (directory: CreativeDirectory) => Promise<void>;
  readonly log: Logger;
}

/**
 * Closes the loop: each creative's impressions, clicks, conversions and cost from every platform
 * whose reporting API it can reach, stored per day, and the verdicts made from them.
 */
export class ResultsService {
  constructor(
    private readonly deps: ResultsDeps,
    private readonly platforms: readonly ResultsPlatform[],
    private readonly options: ResultsOptions,
  ) {}

  /**
   * Fetches the rolling window and every day of the lookback not stored yet, for each platform. A
   * platform that fails keeps its last good figures; a refused key is said once and not tried
   * again until it changes.
   */
  async fetch(now = new Date(), signal?: AbortSignal): Promise<FetchOutcome[]> {
    const directory = await CreativeDirectory.read(this.deps.creatives);
    const outcomes: FetchOutcome[] = [];
    for (const platform of this.platforms) outcomes.push(await this.fetchPlatform(platform, directory, now, signal));
    if (outcomes.some((outcome) => outcome.days > 0)) await this.deps.writeCsv(directory);
    return outcomes;
  }

  /** The creatives' totals from `from` to `to` (inclusive), best first, with their verdicts, and each test's. */
  async table(from: string, to: string): Promise<ResultsTable> {
    const [days, directory] = await Promise.all([
      this.deps.results.range(from, to),
      CreativeDirectory.read(this.deps.creatives),
    ]);
    return resultsTable({ from, to, days, directory, verdicts: this.options.verdicts });
  }

  /** Each platform's line for `status`: fetched when, or why not. */
  async statusLines(): Promise<string[]> {
    const status = await this.deps.status.read();
    return this.platforms.map((platform) => describeStatus(platform, status[platform.platform]));
  }

  private async fetchPlatform(
    platform: ResultsPlatform,
    directory: CreativeDirectory,
    now: Date,
    signal: AbortSignal | undefined,
  ): Promise<FetchOutcome> {
    const name = platformName(platform.platform);
    if (!platform.source) return { platform: platform.platform, days: 0, skipped: platform.notFetched ?? 'not set up' };
    const before = (await this.deps.status.read())[platform.platform];
    if (before?.refusedKey === platform.keyFingerprint)
      return {
        platform: platform.platform,
        days: 0,
        skipped: `${name}'s reporting API refused this key; set a new one`,
      };
    const days = await this.daysToFetch(platform.platform, now);
    try {
      const fetched = await platform.source.fetchDays(days, directory, signal);
      await this.deps.results.putPlatformDays(platform.platform, byDay(days, fetched, now));
      await this.deps.status.update(platform.platform, { lastSuccessAt: now.toISOString() });
      return { platform: platform.platform, days: days.length };
    } catch (error) {
      if (signal?.aborted) throw error;
      const message =
        error instanceof ResultsKeyRefusedError
          ? error.plain
          : `${name}'s results could not be fetched (${(error as Error).message}); the last figures fetched stay`;
      // Said once: the next fetch with the same key does not ask again, nor log again.
      if (error instanceof ResultsKeyRefusedError)
        await this.deps.status.update(platform.platform, {
          refusedKey: platform.keyFingerprint,
          failure: { at: now.toISOString(), message },
        });
      else await this.deps.status.update(platform.platform, { failure: { at: now.toISOString(), message } });
      this.deps.log.warn({ platform: platform.platform }, message);
      return { platform: platform.platform, days: 0, skipped: message };
    }
  }

  /** The window (today and the days platforms may restate), then each day of the lookback this platform has no figures for. */
  private async daysToFetch(platform: PlatformId, now: Date): Promise<string[]> {
    const today = reportingDay(now);
    const window = daysBefore(today, this.options.windowDays);
    const lookback = daysBefore(today, this.options.lookbackDays);
    const stored = await this.deps.results.range(lookback[0] ?? today, today);
    const have = new Set(stored.filter((day) => day.platforms[platform]).map((day) => day.day));
    return lookback.filter((day) => window.includes(day) || !have.has(day));
  }
}

/** A fetch as the store keeps it: every day asked gets its entry, a day with no figures an empty one. */
function byDay(days: readonly string[], fetched: ResultsFetch, now: Date): Map<string, PlatformDay> {
  const out = new Map<string, PlatformDay>();
  for (const day of days) {
    const notOurs = fetched.notOurs.find((each) => each.day === day);
    out.set(day, {
      fetchedAt: now.toISOString(),
      rows: fetched.rows
        .filter((row) => row.day === day)
        .map(({ uniqueId, impressions, clicks, conversions, cost }) => ({
          uniqueId,
          impressions,
          clicks,
          conversions,
          cost,
        })),
      notOurs: notOurs
        ? {
            items: notOurs.items,
            impressions: notOurs.impressions,
            clicks: notOurs.clicks,
            conversions: notOurs.conversions,
            cost: notOurs.cost,
          }
        : { items: 0, impressions: 0, clicks: 0, conversions: 0, cost: 0 },
    });
  }
  return out;
}

function describeStatus(platform: ResultsPlatform, status: ResultsStatus | undefined): string {
  const name = platformName(platform.platform);
  if (!platform.source) return `${name} results: not fetched (${platform.notFetched ?? 'not set up'})`;
  if (status?.refusedKey === platform.keyFingerprint)
    return `${name} results: waiting for a new key (${status.failure?.message ?? 'the key was refused'})`;
  const last = status?.lastSuccessAt ? `last fetched ${status.lastSuccessAt}` : 'not fetched yet';
  const failed =
    status?.failure && (!status.lastSuccessAt || status.failure.at > status.lastSuccessAt)
      ? `; the last try failed: ${status.failure.message}`
      : '';
  return `${name} results: ${last}${failed}`;
}

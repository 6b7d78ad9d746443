import type { Logger } from '../../core/logger.js';
import { ResultsKeyRefusedError, type CreativeIds, type ResultsFetch, type ResultsSource } from '../results-source.js';
import { CredentialsRefusedError } from '../uploader.js';
import { ExoCampaigns } from './campaigns.js';
import { ExoStatistics, type StatisticsGrouping } from './statistics.js';
import { joinStatistics } from './statistics-join.js';
import { ExoApiError, ExoTransport } from './transport.js';
import { ExoVariationFiles } from './variation-files.js';

/** What ExoClick's results need besides the transport. */
export interface ExoResultsSettings {
  /** `EXO_CONVERSION_GOAL`: the goal whose volume counts as conversions; every goal (`goals.total`) unless given. */
  readonly conversionGoal?: string | undefined;
  /** Rows per statistics page (5000 unless given). */
  readonly pageSize?: number;
  /** Campaign reads at once (4 unless given). */
  readonly campaignReads?: number;
  readonly log?: Logger;
}

/** Where ExoClick is, for results with a transport of their own: the fields of the uploader's `ExoConnection` they use. */
export interface ExoResultsConnection {
  readonly apiUrl: string;
  readonly apiToken: string | undefined;
  readonly userAgent: string;
}

/** Days asked as `YYYY-MM-DD`. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * ExoClick's per-creative results: each variation's figures per day from the statistics route
 * (in its own rate-limit bucket), each variation's library file from its campaign, our creative
 * from the file (`exo_creative_id`). Both reads run side by side, one bucket each, so a spent
 * bucket holds back only its own; a fetch returns every day asked whole, or throws.
 */
export class ExoResults implements ResultsSource {
  readonly platform = 'exoclick' as const;
  private readonly statistics: ExoStatistics;
  private readonly variationFiles: ExoVariationFiles;

  /** Shares `transport` (its login and session token) with whatever else uses it, the uploader's for one. */
  constructor(
    private readonly transport: ExoTransport,
    private readonly settings: ExoResultsSettings = {},
  ) {
    this.statistics = new ExoStatistics(transport, {
      ...(settings.pageSize === undefined ? {} : { pageSize: settings.pageSize }),
      ...(settings.log === undefined ? {} : { log: settings.log }),
    });
    this.variationFiles = new ExoVariationFiles(new ExoCampaigns(transport), settings.campaignReads);
  }

  /** Results with a transport of their own: logs in at the first fetch. Throws {@link ExoApiUrlError} for an address the token must not go to. */
  static open(
    connection: ExoResultsConnection,
    deps: {
      readonly log: Logger;
      readonly signal?: AbortSignal;
      readonly retryBaseMs?: number;
      readonly maxWaitMs?: number;
    },
    settings: Omit<ExoResultsSettings, 'log'> = {},
  ): ExoResults {
    const transport = ExoTransport.to(connection, deps);
    return new ExoResults(transport, { ...settings, log: deps.log });
  }

  /** How the statistics are asked (one call, or one a day after ExoClick refused the grouping), and what was read: for the benchmark and `check`. */
  get calls(): { grouping: StatisticsGrouping; statisticsPages: number; campaignsRead: number; requests: number } {
    return {
      grouping: this.statistics.knownGrouping,
      statisticsPages: this.statistics.pagesRead,
      campaignsRead: this.variationFiles.campaignsRead,
      requests: this.transport.requests,
    };
  }

  async fetchDays(days: readonly string[], ids: CreativeIds, signal?: AbortSignal): Promise<ResultsFetch> {
    const asked = [...new Set(days)].sort();
    const bad = asked.find((day) => !DAY.test(day));
    if (bad !== undefined) throw new RangeError(`not a day (YYYY-MM-DD): "${bad}"`);
    if (asked.length === 0) return { rows: [], notOurs: [] };
    // One read failing stops the other at once: nothing of a failed fetch is used, so nothing more is asked for it.
    const halt = new AbortController();
    const both = signal ? AbortSignal.any([signal, halt.signal]) : halt.signal;
    const stopOnFailure = <T>(read: Promise<T>): Promise<T> =>
      read.catch((error: unknown) => {
        halt.abort(error);
        throw error;
      });
    try {
      // Logged in before the two reads start, so they do not each log in (a refused token is tried once).
      await this.transport.connect(both);
      const [rows, files] = await Promise.all([
        stopOnFailure(this.statistics.rows(asked, both)),
        stopOnFailure(this.variationFiles.refresh(both)),
      ]);
      return joinStatistics(rows, files, ids, { goalId: this.settings.conversionGoal });
    } catch (error) {
      throw refusedKey(error) ?? error;
    }
  }
}

/**
 * A refused token as the results' own error: the login refused it, or a call answered 401 again
 * right after a fresh login (the transport logs in once on a 401, then gives up).
 */
function refusedKey(error: unknown): ResultsKeyRefusedError | undefined {
  if (error instanceof CredentialsRefusedError) return new ResultsKeyRefusedError('exoclick', error.message);
  if (error instanceof ExoApiError && error.status === 401)
    return new ResultsKeyRefusedError(
      'exoclick',
      `${error.what} answered 401 after a fresh login: ${error.words || 'no message'}`,
    );
  return undefined;
}

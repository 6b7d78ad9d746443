import type { Logger } from '../../core/logger.js';
import { EXO } from './endpoints.js';
import { statisticsRows, ExoStatisticsAnswerError, type StatisticsRow } from './statistics-rows.js';
import { ExoApiError, type ExoTransport } from './transport.js';

/**
 * Each variation's figures per day from `POST /v2/statistics/a/global`, in the statistics
 * rate-limit bucket. One call grouped by date and variation over the whole range, paged until a
 * short page. Whether ExoClick takes that grouping is unsure: when it refuses it (a 400 or 422 to
 * the first page), one call a day grouped by variation alone is made instead, from then on.
 */

/** How the figures are asked: one call over the range, or one a day (learnt from a refusal). */
export type StatisticsGrouping = 'date-and-variation' | 'variation-per-day';

/** Answers by which ExoClick refuses a request it understood: the grouping, as far as we can tell. */
const REFUSALS: ReadonlySet<number> = new Set([400, 422]);
/** Past this many pages, the API is taken to ignore `offset` (the same page again and again), not to hold that many rows. */
const MAX_PAGES = 2_000;

export class ExoStatistics {
  private grouping: StatisticsGrouping = 'date-and-variation';
  /** Statistics pages read so far (for the benchmark). */
  pagesRead = 0;

  constructor(
    private readonly transport: ExoTransport,
    private readonly options: { readonly pageSize?: number; readonly log?: Logger } = {},
  ) {}

  /** The way the last fetch asked. */
  get knownGrouping(): StatisticsGrouping {
    return this.grouping;
  }

  /** Every row for `days` (`YYYY-MM-DD`, ascending, each once), none for another day; throws if any page cannot be read whole. */
  async rows(days: readonly string[], signal?: AbortSignal): Promise<StatisticsRow[]> {
    const [first, last] = [days[0], days.at(-1)];
    if (first === undefined || last === undefined) return [];
    if (this.grouping === 'date-and-variation') {
      try {
        const asked = new Set(days);
        // The range may hold days not asked (a gap in `days`): their rows are read and left out.
        return (await this.pages(first, last, ['date', 'variation_id'], undefined, signal)).filter((row) =>
          asked.has(row.day),
        );
      } catch (error) {
        if (!(error instanceof RefusedGroupingError)) throw error;
        this.grouping = 'variation-per-day';
        this.options.log?.info(
          { status: error.cause.status, words: error.cause.words },
          'ExoClick refused statistics grouped by date and variation together; asking one day at a time',
        );
      }
    }
    const rows: StatisticsRow[] = [];
    for (const [index, day] of days.entries()) {
      const page = await this.pages(day, day, ['variation_id'], day, signal).catch((error: unknown) => {
        // Refused without the date too: the grouping was not the cause, so the next fetch asks the one call again.
        if (index === 0 && error instanceof ExoApiError && REFUSALS.has(error.status))
          this.grouping = 'date-and-variation';
        throw error;
      });
      rows.push(...page);
    }
    return rows;
  }

  /** Every page of one call; a refusal of its first page is a {@link RefusedGroupingError} when the grouping may be why. */
  private async pages(
    from: string,
    to: string,
    groupBy: readonly string[],
    dayAsked: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<StatisticsRow[]> {
    const limit = this.options.pageSize ?? EXO.statisticsPageSize;
    const rows: StatisticsRow[] = [];
    for (let page = 0, offset = 0; ; page += 1) {
      if (page >= MAX_PAGES)
        throw new ExoStatisticsAnswerError(
          `more than ${MAX_PAGES} pages of ${limit} rows for ${from}…${to}: the API seems to ignore "offset"`,
        );
      const body = {
        filter: { date_from: from, date_to: to },
        group_by: groupBy,
        limit,
        offset,
        // Deleted variations still have figures; whether this is how to ask for them is unsure, and sending it costs nothing.
        include_deleted: true,
      };
      const answer = await this.transport
        .call<unknown>('POST', EXO.statisticsGlobal, { json: body, bucket: 'statistics', idempotent: true, signal })
        .catch((error: unknown) => {
          const mayBeGrouping =
            page === 0 && groupBy.includes('date') && error instanceof ExoApiError && REFUSALS.has(error.status);
          throw mayBeGrouping ? new RefusedGroupingError(error) : error;
        });
      this.pagesRead += 1;
      const batch = statisticsRows(answer, dayAsked);
      rows.push(...batch);
      if (batch.length < limit) return rows;
      offset += batch.length;
    }
  }
}

/** Internal: the first page of a call grouped by date and variation was refused. */
class RefusedGroupingError extends Error {
  constructor(override readonly cause: ExoApiError) {
    super(cause.message);
  }
}

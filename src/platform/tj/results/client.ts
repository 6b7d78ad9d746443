import type { Logger } from '../../../core/logger.js';
import { adFiguresOf, adsOf, campaignsOf, type TjAd, type TjAdFigures, type TjCampaign } from './answers.js';
import { readAllPages } from './paging.js';
import type { TjReportingTransport } from './transport.js';

/**
 * TJ's three reporting routes (STATS-CONTRACT.md): the campaigns, each campaign's ads (paged by
 * `limit` and `offset`), and a campaign's per-ad totals for a range of days, asked here one day at
 * a time (`startDate` = `endDate`), as no route breaks a range down by day.
 */

/** Items asked per page: the smaller of the two largest limits the contract names (500 or 1000), so a page is never cut short by the API's own cap. */
export const DEFAULT_PAGE_SIZE = 500;

export class TjReportingClient {
  constructor(
    private readonly transport: TjReportingTransport,
    private readonly log: Logger,
    private readonly pageSize = DEFAULT_PAGE_SIZE,
  ) {}

  async campaigns(signal?: AbortSignal): Promise<TjCampaign[]> {
    return this.list('campaigns.json', campaignsOf, (campaign) => campaign.id, signal);
  }

  async ads(campaignId: string, signal?: AbortSignal): Promise<TjAd[]> {
    return this.list(`ads/${encodeURIComponent(campaignId)}.json`, adsOf, (ad) => ad.id, signal);
  }

  /** Each ad's figures for one day (`YYYY-MM-DD`, counted in America/New_York), by ad id. */
  async adStats(campaignId: string, day: string, signal?: AbortSignal): Promise<Map<string, TjAdFigures>> {
    const path = `ads/${encodeURIComponent(campaignId)}/stats/one.json`;
    const date = tjDate(day);
    return adFiguresOf(await this.transport.get(path, { startDate: date, endDate: date }, signal), `GET ${path}`);
  }

  private async list<T>(
    path: string,
    parse: (body: unknown, what: string) => T[],
    keyOf: (item: T) => string,
    signal: AbortSignal | undefined,
  ): Promise<T[]> {
    const what = `GET ${path}`;
    return readAllPages<T>(
      {
        what,
        read: async (limit, offset) => parse(await this.transport.get(path, { limit, offset }, signal), what),
        keyOf,
        note: (words) => this.log.warn({ what }, `TJ's reporting API: ${words}`),
      },
      this.pageSize,
    );
  }
}

/** `YYYY-MM-DD` as TJ's `DD/MM/YYYY`; anything but a real day is a mistake of the caller's. */
export function tjDate(day: string): string {
  const [, year, month, date] = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) ?? [];
  const parsed = new Date(`${day}T00:00:00Z`);
  if (
    year === undefined ||
    month === undefined ||
    date === undefined ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== day
  )
    throw new RangeError(`"${day}" is not a day in the form YYYY-MM-DD`);
  return `${date}/${month}/${year}`;
}

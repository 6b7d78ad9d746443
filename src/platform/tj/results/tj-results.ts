import type { CreativeIds, ResultsFetch, ResultsSource } from '../../results-source.js';
import type { TjAd } from './answers.js';
import { TjReportingClient, tjDate } from './client.js';
import { DayTotals } from './join.js';
import { TjReportingStoppedError, TjReportingTransport, type TjReportingTransportOptions } from './transport.js';

/**
 * Our creatives' figures on TJ (STATS-CONTRACT.md): every campaign, each campaign's ads, and each
 * campaign's per-ad stats one day at a time, joined to our creatives by the `ID-` in each ad's
 * name. A fetch is whole or nothing: any call that fails (after its retries) fails the fetch, so
 * the caller keeps the figures it had rather than storing part of a day.
 */
export interface TjResultsOptions extends Omit<TjReportingTransportOptions, 'baseUrl'> {
  /** `TJ_API_URL`. */
  readonly apiUrl: string;
  /** Items asked per page of a list; the client's default unless given (tests page small lists). */
  readonly pageSize?: number;
}

export class TjResults implements ResultsSource {
  readonly platform = 'tj' as const;
  private readonly transport: TjReportingTransport;
  private readonly client: TjReportingClient;

  /** Throws {@link TjApiUrlError} for an address the key must not be sent to. */
  constructor(private readonly options: TjResultsOptions) {
    this.transport = new TjReportingTransport({ ...options, baseUrl: options.apiUrl });
    this.client = new TjReportingClient(this.transport, options.log, options.pageSize);
  }

  /** Requests sent so far, retries included. */
  get requests(): number {
    return this.transport.requests;
  }

  async fetchDays(days: readonly string[], ids: CreativeIds, signal?: AbortSignal): Promise<ResultsFetch> {
    const asked = [...new Set(days)].sort();
    // A day the caller got wrong fails before any call, not halfway.
    for (const day of asked) tjDate(day);
    if (asked.length === 0) return { rows: [], notOurs: [] };
    if (signal?.aborted) throw new TjReportingStoppedError('the fetch of TJ results', signal.reason);
    const started = Date.now();
    const requestsBefore = this.transport.requests;

    const campaigns = await this.client.campaigns(signal);
    const names = new Map<string, Map<string, string>>();
    let adCount = 0;
    for (const campaign of campaigns) {
      const ads: TjAd[] = await this.client.ads(campaign.id, signal);
      names.set(campaign.id, new Map(ads.map((ad) => [ad.id, ad.name])));
      adCount += ads.length;
    }

    const totals = new DayTotals(ids);
    let unlisted = 0;
    for (const day of asked) {
      for (const campaign of campaigns) {
        const adNames = names.get(campaign.id);
        // A campaign with no ad has no figures: no call is spent on it.
        if (adNames === undefined || adNames.size === 0) continue;
        for (const [adId, figures] of await this.client.adStats(campaign.id, day, signal)) {
          const name = adNames.get(adId);
          if (name === undefined) unlisted += 1;
          totals.add(day, adId, name, figures);
        }
      }
    }
    const result = totals.result();
    if (unlisted > 0)
      this.options.log.warn(
        { unlisted },
        "TJ's reporting API gave figures for ads its ads list did not name; they are counted as not ours",
      );
    this.options.log.info(
      {
        days: asked.length,
        from: asked[0],
        to: asked.at(-1),
        campaigns: campaigns.length,
        ads: adCount,
        requests: this.transport.requests - requestsBefore,
        rows: result.rows.length,
        ms: Date.now() - started,
      },
      'TJ results fetched',
    );
    return result;
  }
}

/** The TJ results source, or none without a key: then TJ's results are simply not fetched. */
export function createTjResults(
  options: Omit<TjResultsOptions, 'apiKey'> & { readonly apiKey: string | undefined },
): TjResults | undefined {
  const { apiKey } = options;
  return apiKey === undefined || apiKey === '' ? undefined : new TjResults({ ...options, apiKey });
}

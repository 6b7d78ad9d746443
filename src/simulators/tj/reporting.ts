import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { json, readJson, seededRandom } from '../http.js';
import {
  DEFAULT_SIM_REPORTING_OPTIONS,
  dayOfTjDate,
  daysBetween,
  type SimAdDayFigures,
  type SimReportAd,
  type SimReportCampaign,
  type SimReportingCall,
  type SimReportingOptions,
  type SimReportingPatch,
  type SimReportingState,
} from './reporting-options.js';

/**
 * TJ's reporting API as STATS-CONTRACT.md describes it, beside the simulated site: campaigns, each
 * campaign's ads (paged by `limit` and `offset`), and per-ad totals for a range of days in
 * DD/MM/YYYY, keyed by ad id, figures as texts, the spend as `revenue`; the key as the query's
 * `api_key`. Its campaigns are the site's (with the ads made through "Mass create with CSV", named
 * as the CSV named them) and any a test seeds; its figures are the test's. It keeps its own faults
 * (429s, 5xx, an outage from a given call, a wrong key's answer) and its own count of calls.
 */

/** The site's campaigns, read live: an ad the mass-create flow makes is listed here at once. */
export type SiteCampaigns = () => readonly {
  readonly id: string;
  readonly name: string;
  readonly ads: readonly { readonly name: string; readonly targetUrl: string }[];
}[];

const MAX_CALLS_KEPT = 10_000;
/** Ids given to the site's ads, from here up: far from the small ids tests seed. */
const FIRST_SITE_AD_ID = 90_000_001;
/** The longest range one stats call sums: ten years. */
const MAX_RANGE_DAYS = 3_660;

export class SimReporting {
  private options: SimReportingOptions;
  private readonly random: () => number;
  private readonly seededCampaigns = new Map<string, SimReportCampaign>();
  private readonly seededAds = new Map<string, SimReportAd[]>();
  private readonly siteAdIds = new Map<string, string>();
  private nextSiteAdId = FIRST_SITE_AD_ID;
  /** Figures by ad id, then day (`YYYY-MM-DD`); the spend in millionths of a dollar, so sums stay exact. */
  private readonly figures = new Map<string, Map<string, SimAdDayFigures & { costMicros: number }>>();
  private rateLimitLeft = 0;
  private serverErrorLeft = 0;
  private readonly counts = {
    requests: 0,
    served: { campaigns: 0, ads: 0, stats: 0 },
    rateLimited: 0,
    serverErrors: 0,
    refused: 0,
  };
  private readonly calls: SimReportingCall[] = [];

  constructor(
    private readonly siteCampaigns: SiteCampaigns,
    options: Partial<SimReportingOptions> = {},
  ) {
    this.options = { ...DEFAULT_SIM_REPORTING_OPTIONS, ...options };
    this.random = seededRandom(this.options.faultSeed);
  }

  /** Changes options while running; `rateLimitNext`/`serverErrorNext` fault that many of the next calls. */
  configure(patch: SimReportingPatch): void {
    const { rateLimitNext, serverErrorNext, ...rest } = patch;
    this.options = { ...this.options, ...rest };
    if (rateLimitNext !== undefined) this.rateLimitLeft = rateLimitNext;
    if (serverErrorNext !== undefined) this.serverErrorLeft = serverErrorNext;
  }

  /** A campaign of the reporting API's own, or a site campaign's name and status changed. */
  seedCampaign(campaign: { readonly id: string; readonly name: string; readonly status?: string }): void {
    this.seededCampaigns.set(campaign.id, {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status ?? 'active',
    });
  }

  /** An ad of a campaign, besides the site's: a test names its id. */
  seedAd(
    campaignId: string,
    ad: {
      readonly id: string;
      readonly name: string;
      readonly targetUrl?: string;
      readonly spotId?: string;
      readonly spotName?: string;
    },
  ): void {
    const ads = this.seededAds.get(campaignId) ?? [];
    this.seededAds.set(campaignId, ads);
    ads.push({
      id: ad.id,
      name: ad.name,
      targetUrl: ad.targetUrl ?? 'https://example.test/',
      spotId: ad.spotId ?? '1',
      spotName: ad.spotName ?? 'Native Ad Widget',
    });
  }

  /** One ad's figures for one day (`YYYY-MM-DD`, TJ's day in America/New_York), replacing any set before: a restatement. */
  setAdStats(adId: string, day: string, figures: SimAdDayFigures): void {
    if (dayOfTjDate(day.split('-').reverse().join('/')) !== day)
      throw new RangeError(`"${day}" is not a day in the form YYYY-MM-DD`);
    const byDay = this.figures.get(adId) ?? new Map<string, SimAdDayFigures & { costMicros: number }>();
    this.figures.set(adId, byDay);
    byDay.set(day, { ...figures, costMicros: Math.round(figures.cost * 1_000_000) });
  }

  /** Every campaign: the site's (status `active` unless seeded otherwise), then those seeded only here, by id. */
  campaigns(): SimReportCampaign[] {
    const all = new Map<string, SimReportCampaign>();
    for (const site of this.siteCampaigns())
      all.set(site.id, this.seededCampaigns.get(site.id) ?? { id: site.id, name: site.name, status: 'active' });
    for (const seeded of this.seededCampaigns.values()) if (!all.has(seeded.id)) all.set(seeded.id, seeded);
    return [...all.values()].sort((a, b) => compareIds(a.id, b.id));
  }

  /** A campaign's ads: the site's, in the order they were made (each given an id the first time it is seen), then those seeded. */
  adsOf(campaignId: string): SimReportAd[] {
    const site = this.siteCampaigns().find((campaign) => campaign.id === campaignId)?.ads ?? [];
    const seeded = this.seededAds.get(campaignId) ?? [];
    return [
      ...site.map((ad) => ({
        id: this.siteAdId(campaignId, ad.name, seeded),
        name: ad.name,
        targetUrl: ad.targetUrl,
        spotId: '1',
        spotName: 'Native Ad Widget',
      })),
      ...seeded,
    ];
  }

  /** The id of the ad named so in a campaign, for a test to set its figures. */
  adIdOf(campaignId: string, name: string): string | undefined {
    return this.adsOf(campaignId).find((ad) => ad.name === name)?.id;
  }

  get state(): SimReportingState {
    return { ...this.counts, served: { ...this.counts.served }, calls: this.calls.map((call) => ({ ...call })) };
  }

  /** Whether a path is the reporting API's or its `/_sim/reporting/` controls. */
  handles(pathname: string): boolean {
    return (
      pathname === '/api/campaigns.json' || pathname.startsWith('/api/ads/') || pathname.startsWith('/_sim/reporting/')
    );
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname.startsWith('/_sim/reporting/')) return this.control(req, res, url.pathname);
    const call: SimReportingCall = {
      path: url.pathname,
      query: Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'api_key')),
      keyOk: url.searchParams.get('api_key') === this.options.apiKey,
      at: Date.now(),
      status: 0,
    };
    this.counts.requests += 1;
    if (this.calls.length < MAX_CALLS_KEPT) this.calls.push(call);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      call.status = status;
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      json(res, status, body);
    };
    if (this.options.latencyMs > 0) await delay(this.options.latencyMs);
    // Faults come first, as a rate limiter or a proxy stands before the API.
    const { failFromRequest } = this.options;
    if (failFromRequest !== undefined && this.counts.requests >= failFromRequest) {
      this.counts.serverErrors += 1;
      return answer(500, { message: 'Internal Server Error' });
    }
    if (this.rateLimitLeft > 0 || this.random() < this.options.rateLimitRate) {
      this.rateLimitLeft = Math.max(0, this.rateLimitLeft - 1);
      this.counts.rateLimited += 1;
      return answer(
        429,
        { message: 'Too Many Requests' },
        this.options.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(this.options.retryAfterSeconds) },
      );
    }
    if (this.serverErrorLeft > 0 || this.random() < this.options.serverErrorRate) {
      this.serverErrorLeft = Math.max(0, this.serverErrorLeft - 1);
      this.counts.serverErrors += 1;
      return answer(503, { message: 'Service Unavailable' });
    }
    if (!call.keyOk) {
      this.counts.refused += 1;
      return answer(this.options.wrongKeyStatus, { message: 'Invalid API key' });
    }
    if (req.method !== 'GET') return answer(405, { message: `${req.method ?? ''} is not allowed` });
    if (url.pathname === '/api/campaigns.json') {
      const page = this.page(this.campaigns(), url);
      if (typeof page === 'string') return answer(400, { message: page });
      this.counts.served.campaigns += 1;
      return answer(
        200,
        page.map((campaign) => ({
          campaign_id: asId(campaign.id),
          campaign_name: campaign.name,
          status: campaign.status,
        })),
      );
    }
    const [, campaignId, rest] = /^\/api\/ads\/(\d+)(\.json|\/stats\/one\.json)$/.exec(url.pathname) ?? [];
    if (campaignId === undefined) return answer(404, { message: `No route GET ${url.pathname}` });
    if (!this.campaigns().some((campaign) => campaign.id === campaignId))
      return answer(404, { message: 'Campaign not found' });
    if (rest === '.json') {
      const page = this.page(this.adsOf(campaignId), url);
      if (typeof page === 'string') return answer(400, { message: page });
      this.counts.served.ads += 1;
      return answer(
        200,
        page.map((ad) => ({
          ad_id: asId(ad.id),
          ad_name: ad.name,
          target_url: ad.targetUrl,
          spot_id: asId(ad.spotId),
          spot_name: ad.spotName,
        })),
      );
    }
    const stats = this.stats(campaignId, url);
    if (typeof stats === 'string') return answer(400, { message: stats });
    this.counts.served.stats += 1;
    // PHP's json_encode gives an empty map as a list.
    return answer(200, Object.keys(stats).length === 0 ? [] : stats);
  }

  /** The items `limit` and `offset` pick, in the meaning set; or what is wrong with them. */
  private page<T>(items: readonly T[], url: URL): T[] | string {
    const limitText = url.searchParams.get('limit');
    const offsetText = url.searchParams.get('offset');
    if (limitText !== null && !/^\d+$/.test(limitText)) return 'limit must be a whole number';
    if (offsetText !== null && !/^\d+$/.test(offsetText)) return 'offset must be a whole number';
    const limit = Math.min(
      this.options.maxLimit,
      Math.max(1, limitText === null ? this.options.maxLimit : Number(limitText)),
    );
    const offset = Number(offsetText ?? 0);
    const start = {
      rows: offset,
      pages: offset * limit,
      'pages-from-1': (Math.max(1, offset) - 1) * limit,
      ignored: 0,
    }[this.options.offsetCounts];
    return items.slice(start, start + limit);
  }

  /** Each listed ad's totals over the range asked, keyed by ad id; or what is wrong with the range. */
  private stats(campaignId: string, url: URL): Record<string, Record<string, string | number>> | string {
    const from = dayOfTjDate(url.searchParams.get('startDate'));
    const to = dayOfTjDate(url.searchParams.get('endDate'));
    if (from === undefined || to === undefined) return 'startDate and endDate must be dates in the form DD/MM/YYYY';
    if (to < from) return 'endDate is before startDate';
    const days = daysBetween(from, to);
    if (days.length > MAX_RANGE_DAYS) return `a range of at most ${MAX_RANGE_DAYS} days`;
    const out: Record<string, Record<string, string | number>> = {};
    for (const ad of this.adsOf(campaignId)) {
      const sums = { impressions: 0, clicks: 0, conversions: 0, costMicros: 0 };
      for (const day of days) {
        const figures = this.figures.get(ad.id)?.get(day);
        if (!figures) continue;
        sums.impressions += figures.impressions;
        sums.clicks += figures.clicks;
        sums.conversions += figures.conversions;
        sums.costMicros += figures.costMicros;
      }
      const idle = sums.impressions === 0 && sums.clicks === 0 && sums.conversions === 0 && sums.costMicros === 0;
      if (idle && !this.options.listIdleAds) continue;
      const cost = sums.costMicros / 1_000_000;
      const figure = (value: number): string | number => (this.options.numbersAsStrings ? String(value) : value);
      // Some sources add ctr, ecpm and ecpc (STATS-CONTRACT.md): given, so a client shows it ignores them.
      out[ad.id] = {
        impressions: figure(sums.impressions),
        clicks: figure(sums.clicks),
        conversions: figure(sums.conversions),
        [this.options.spendField]: figure(cost),
        ctr: figure(sums.impressions === 0 ? 0 : Math.round((sums.clicks / sums.impressions) * 10_000) / 100),
        ecpm: figure(sums.impressions === 0 ? 0 : Math.round((cost / sums.impressions) * 100_000) / 100),
        ecpc: figure(sums.clicks === 0 ? 0 : Math.round((cost / sums.clicks) * 100) / 100),
      };
    }
    return out;
  }

  private siteAdId(campaignId: string, name: string, seeded: readonly SimReportAd[]): string {
    const key = `${campaignId}\n${name}`;
    let id = this.siteAdIds.get(key);
    if (id === undefined) {
      while (seeded.some((ad) => ad.id === String(this.nextSiteAdId))) this.nextSiteAdId += 1;
      id = String(this.nextSiteAdId++);
      this.siteAdIds.set(key, id);
    }
    return id;
  }

  /** `/_sim/reporting/…`: the same seeding and faults over HTTP, for a simulator run as its own process. */
  private async control(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method === 'GET' && pathname === '/_sim/reporting/state') return json(res, 200, this.state);
    if (req.method !== 'POST') return json(res, 404, { error: `No route ${req.method ?? ''} ${pathname}` });
    const body = await readJson<Record<string, unknown>>(req);
    const text = (key: string): string | undefined =>
      typeof body[key] === 'string' || typeof body[key] === 'number' ? String(body[key]) : undefined;
    const count = (key: string): number => (typeof body[key] === 'number' ? body[key] : 0);
    switch (pathname) {
      case '/_sim/reporting/campaigns': {
        const id = text('id');
        if (id === undefined) return json(res, 400, { error: 'id is required' });
        this.seedCampaign({ id, name: text('name') ?? `Campaign ${id}`, status: text('status') ?? 'active' });
        return json(res, 200, { ok: true });
      }
      case '/_sim/reporting/ads': {
        const campaignId = text('campaignId');
        const id = text('id');
        if (campaignId === undefined || id === undefined)
          return json(res, 400, { error: 'campaignId and id are required' });
        const targetUrl = text('targetUrl');
        this.seedAd(campaignId, { id, name: text('name') ?? '', ...(targetUrl === undefined ? {} : { targetUrl }) });
        return json(res, 200, { ok: true });
      }
      case '/_sim/reporting/stats': {
        const adId = text('adId');
        const day = text('day');
        if (adId === undefined || day === undefined) return json(res, 400, { error: 'adId and day are required' });
        try {
          this.setAdStats(adId, day, {
            impressions: count('impressions'),
            clicks: count('clicks'),
            conversions: count('conversions'),
            cost: count('cost'),
          });
        } catch (error) {
          return json(res, 400, { error: (error as Error).message });
        }
        return json(res, 200, { ok: true });
      }
      case '/_sim/reporting/configure':
        this.configure(body);
        return json(res, 200, { ok: true });
      default:
        return json(res, 404, { error: `No route POST ${pathname}` });
    }
  }
}

/** An id as TJ's JSON gives it: a number when it is one. */
function asId(id: string): string | number {
  return /^\d{1,15}$/.test(id) ? Number(id) : id;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}

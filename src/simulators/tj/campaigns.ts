import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { escapeHtml } from '../../core/html.js';
import { creativeIdsOfRow, readMassCreateCsv, type SimAdKind, type SimAdRow } from './csv-formats.js';
import { json, readText } from '../http.js';
import type { SimLibrary } from './library.js';
import type { SimCampaignSeed, SimulatorOptions } from './options.js';
import { markupVariant, pagerHtml } from './variants.js';

export interface SimAd {
  readonly name: string;
  readonly targetUrl: string;
  readonly creativeIds: readonly string[];
  /** How many times TJ was asked to create it: more than once is an ad sent twice. */
  created: number;
}

interface SimCampaign extends SimCampaignSeed {
  readonly ads: SimAd[];
  /** Pages of the ads table served, by the length asked for. */
  readonly tableReads: Record<string, number>;
}

/**
 * TJ's campaigns and their ads ("Mass create with CSV", TJ-CONTRACT.md): the ads table a page at a
 * time, a CSV's preview with TJ's checks (its format and limits; creatives it does not know or
 * that do not fit the campaign), and the creation, with a 5xx on create when asked.
 */
export class SimCampaigns {
  private readonly campaigns = new Map<string, SimCampaign>();

  constructor(
    private readonly library: SimLibrary,
    private readonly options: () => SimulatorOptions,
    private readonly random: () => number,
  ) {}

  seed(seeds: readonly SimCampaignSeed[]): void {
    for (const seed of seeds)
      this.campaigns.set(seed.id, {
        ...seed,
        ads: (seed.ads ?? []).map((ad) => ({ ...ad, created: 1 })),
        tableReads: {},
      });
  }

  /** For `/_sim/state`: each campaign's ads, with the times each was created, and the table pages served by length. */
  get state(): readonly {
    id: string;
    name: string;
    type: SimAdKind;
    ads: SimAd[];
    tableReads: Record<string, number>;
  }[] {
    return [...this.campaigns.values()];
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, url: URL, alive: boolean): Promise<void> {
    if (!alive)
      return json(res, this.options().deadSessionStatus, { error: 'Your session has expired. Please log in again.' });
    const [, id, rest] = /^\/api\/campaign\/(\d+)(\/.*)?$/.exec(path) ?? [];
    const campaign = id === undefined ? undefined : this.campaigns.get(id);
    if (!campaign) return json(res, 404, { error: 'Campaign not found' });
    switch (`${req.method} ${rest ?? ''}`) {
      case 'GET ':
        return json(res, 200, { id: campaign.id, name: campaign.name, type: campaign.type });
      case 'GET /ads':
        return this.ads(res, campaign, url);
      case 'POST /ads/preview':
        return this.preview(res, campaign, await readText(req));
      case 'POST /ads/create':
        return this.create(res, campaign, await readText(req));
      default:
        return json(res, 404, { error: `No route ${req.method} ${path}` });
    }
  }

  /** One page of the ads table, a moment later, as the page's script fetches it. */
  private async ads(res: ServerResponse, campaign: SimCampaign, url: URL): Promise<void> {
    const options = this.options();
    const variant = markupVariant(options.variant);
    const delayMs = options.gridDelayMs ?? variant.gridDelayMs;
    if (delayMs > 0) await delay(delayMs);
    const length = [10, 25, 50, 100].find((n) => n === Number(url.searchParams.get('length'))) ?? 10;
    campaign.tableReads[length] = (campaign.tableReads[length] ?? 0) + 1;
    const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
    const pages = Math.max(1, Math.ceil(campaign.ads.length / length));
    const shown = campaign.ads.slice((page - 1) * length, page * length);
    // One row per creation: an ad sent twice shows twice.
    const rows = shown.flatMap((ad) =>
      Array.from(
        { length: ad.created },
        () =>
          `<tr><td class="ad-name">${escapeHtml(ad.name)}</td><td class="creative-ids">${ad.creativeIds.join(', ')}</td><td class="target-url">${escapeHtml(ad.targetUrl)}</td></tr>`,
      ),
    );
    const empty = {
      datatables: '<tr><td class="dataTables_empty" colspan="3">No data available in table</td></tr>',
      sentence: '<tr><td colspan="3">No ads yet.</td></tr>',
      nothing: '',
    }[variant.empty];
    const body = rows.length ? rows.join('') : empty;
    const pager = pagerHtml(variant.pager, page, pages);
    json(res, 200, {
      rows: body,
      pager,
      info: `Showing ${shown.length ? (page - 1) * length + 1 : 0} to ${(page - 1) * length + shown.length} of ${campaign.ads.length} entries`,
    });
  }

  private preview(res: ServerResponse, campaign: SimCampaign, text: string): void {
    const checked = this.check(campaign, text);
    if ('problems' in checked) return json(res, 422, { problems: checked.problems });
    if ('invalidIds' in checked) return json(res, 422, { invalidIds: checked.invalidIds });
    json(res, 200, {
      preview: checked.rows.map((row) => ({
        name: row['Ad Name'] ?? '',
        creativeIds: creativeIdsOfRow(row, campaign.type),
      })),
    });
  }

  private create(res: ServerResponse, campaign: SimCampaign, text: string): void {
    if (this.random() < this.options().createErrorRate) return void res.writeHead(500).end();
    const checked = this.check(campaign, text);
    if (!('rows' in checked)) return json(res, 422, checked);
    for (const row of checked.rows) {
      const name = row['Ad Name'] ?? '';
      const existing = campaign.ads.find((ad) => ad.name === name);
      if (existing) existing.created += 1;
      else
        campaign.ads.push({
          name,
          targetUrl: row['Target URL'] ?? '',
          creativeIds: creativeIdsOfRow(row, campaign.type),
          created: 1,
        });
    }
    json(res, 200, { created: checked.rows.length });
  }

  /** TJ's checks: the format for this campaign's kind and TJ's limits, then each creative: known, and of a type the campaign takes. */
  private check(
    campaign: SimCampaign,
    text: string,
  ): { problems: string[] } | { invalidIds: string[] } | { rows: readonly SimAdRow[] } {
    const parsed = readMassCreateCsv(text);
    const problems = [...parsed.problems];
    if (parsed.kind && parsed.kind !== campaign.type)
      problems.push(`this campaign takes ${campaign.type} ads, and the file holds ${parsed.kind} ads`);
    if (problems.length > 0) return { problems };
    const invalid = new Set<string>();
    for (const row of parsed.rows) {
      for (const [column, id] of Object.entries(row)) {
        const wanted = FITS[campaign.type][column];
        if (!wanted || id === '') continue;
        const creative = this.library.all.find((candidate) => candidate.id === id);
        if (!creative || !wanted(creative)) invalid.add(id);
      }
    }
    return invalid.size > 0 ? { invalidIds: [...invalid] } : { rows: parsed.rows };
  }
}

type Creative = SimLibrary['all'][number];

/**
 * What each creative column of a campaign accepts (TJ-CONTRACT.md: a creative must be in the library
 * and fit the campaign's type, native or in-stream). The banner CTA is any creative TJ knows.
 */
const FITS: Readonly<Record<SimAdKind, Readonly<Record<string, (creative: Creative) => boolean>>>> = {
  native: {
    'Video Creative ID': (creative) => creative.tab === 'native',
    'Thumbnail Creative ID': (creative) => creative.tab === 'native',
  },
  preroll: {
    'Creative ID': (creative) => creative.tab === 'in_stream_video',
    'Banner CTA Creative ID': () => true,
  },
};

import type { ExoCampaigns } from './campaigns.js';

/**
 * The figures the statistics route reports, as a test sets them: per variation and day. A
 * variation keeps its figures (and its campaign) after it is deleted from its campaign, as
 * STATS-CONTRACT.md says ExoClick's do.
 */

/** One variation's figures on one day, as a test sets them. */
export interface VariationDayFigures {
  readonly impressions: number;
  readonly clicks: number;
  /** US dollars, as the statistics route answers them (not cents). */
  readonly cost: number;
  /** Conversions by goal id; the answer's `goals.total` is their sum. */
  readonly goals?: Readonly<Record<string, number>>;
}

/** One variation's figures on one day, with what the route groups and filters by. */
export interface FiguresEntry {
  readonly variationId: number;
  readonly variationName: string;
  readonly campaignId: number;
  readonly campaignName: string;
  readonly day: string;
  /** No longer in its campaign: answered only to a call that asks for deleted variations. */
  readonly deleted: boolean;
  readonly figures: VariationDayFigures;
}

interface Kept {
  readonly campaignId: number;
  readonly campaignName: string;
  name: string;
  readonly days: Map<string, VariationDayFigures>;
}

export class ExoStatisticsFigures {
  private readonly byVariation = new Map<number, Kept>();

  constructor(private readonly campaigns: ExoCampaigns) {}

  /**
   * Sets (not adds) a variation's figures for a day. Throws for a day that is not `YYYY-MM-DD`,
   * figures that are not numbers of 0 or more, or a variation that no campaign holds and that has
   * no figures yet (a deleted one's campaign is known only from figures set before it went).
   */
  set(variationId: number, day: string, figures: VariationDayFigures): void {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
      throw new Error(`not a day (YYYY-MM-DD): "${day}"`);
    const numbers = [figures.impressions, figures.clicks, figures.cost, ...Object.values(figures.goals ?? {})];
    if (numbers.some((value) => typeof value !== 'number' || !Number.isFinite(value) || value < 0))
      throw new Error(`figures of variation ${variationId} on ${day} must be numbers of 0 or more`);
    const holding = this.campaigns.holding(variationId);
    const kept = this.byVariation.get(variationId);
    if (!holding && !kept)
      throw new Error(`no campaign holds variation ${variationId}: set its figures before it is deleted`);
    const entry = kept ?? {
      campaignId: holding?.campaign.id ?? 0,
      campaignName: holding?.campaign.name ?? '',
      name: '',
      days: new Map(),
    };
    if (holding) entry.name = holding.variation.name;
    entry.days.set(day, {
      impressions: figures.impressions,
      clicks: figures.clicks,
      cost: figures.cost,
      goals: { ...figures.goals },
    });
    this.byVariation.set(variationId, entry);
  }

  /** Every variation's figures on each day from `from` to `to` (inclusive), deleted ones marked. */
  entries(from: string, to: string): FiguresEntry[] {
    const entries: FiguresEntry[] = [];
    for (const [variationId, kept] of this.byVariation) {
      const deleted = this.campaigns.holding(variationId)?.campaign.id !== kept.campaignId;
      for (const [day, figures] of kept.days) {
        if (day >= from && day <= to)
          entries.push({
            variationId,
            variationName: kept.name,
            campaignId: kept.campaignId,
            campaignName: kept.campaignName,
            day,
            deleted,
            figures,
          });
      }
    }
    return entries;
  }
}

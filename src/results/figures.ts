/** Impressions, clicks, conversions and cost (US dollars), and what people read from them. */
export interface Figures {
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly cost: number;
}

export const NO_FIGURES: Figures = { impressions: 0, clicks: 0, conversions: 0, cost: 0 };

/** Sums figures; costs are kept to the cent, as each platform's dashboard shows them. */
export function addFigures(a: Figures, b: Figures): Figures {
  return {
    impressions: a.impressions + b.impressions,
    clicks: a.clicks + b.clicks,
    conversions: a.conversions + b.conversions,
    cost: cents(a.cost + b.cost),
  };
}

export function sumFigures(all: Iterable<Figures>): Figures {
  let total = NO_FIGURES;
  for (const figures of all) total = addFigures(total, figures);
  return total;
}

/** Clicks per impression, as a fraction; 0 with no impression. */
export function ctrOf(figures: Figures): number {
  return figures.impressions > 0 ? figures.clicks / figures.impressions : 0;
}

/** Cost per conversion in dollars; undefined with no conversion. */
export function costPerConversion(figures: Figures): number | undefined {
  return figures.conversions > 0 ? cents(figures.cost / figures.conversions) : undefined;
}

/** A dollar amount rounded to the cent: float sums of many small costs drift otherwise. */
export function cents(dollars: number): number {
  return Math.round(dollars * 100) / 100;
}

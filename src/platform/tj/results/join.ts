import type { CreativeDayFigures, CreativeIds, NotOursFigures, ResultsFetch } from '../../results-source.js';
import type { TjAdFigures } from './answers.js';

/**
 * The join of TJ's ads to our creatives (STATS-CONTRACT.md): stats are keyed by ad id, and an ad's
 * name is the creative's file name (the mass-create CSVs set it so), which carries `ID-XXXXXXXX`
 * and maybe `T-…`. A creative in several ads, in one campaign or many, gets the sum of them a day.
 * An ad with no `ID-` we know is counted apart as not ours: never dropped, never guessed.
 */

/**
 * `ID-` and exactly 8 upper-case hex digits, standing alone as a token of the name: after its
 * start or a separator, before its end or a separator (a native half's `-VID` or `-IMG`, a cut
 * name's `_`). `ID-a9d25064`, `XID-…` or nine digits are not an id.
 */
const UNIQUE_ID = /(?<![A-Za-z0-9])ID-([0-9A-F]{8})(?![A-Za-z0-9])/g;

/** The `ID-XXXXXXXX` an ad's name carries; none when it carries none, or two different ones (which one is not guessed). */
export function uniqueIdInName(name: string): string | undefined {
  const found = new Set([...name.matchAll(UNIQUE_ID)].map((match) => `ID-${match[1] ?? ''}`));
  return found.size === 1 ? [...found][0] : undefined;
}

interface Sums {
  impressions: number;
  clicks: number;
  conversions: number;
  costMicros: number;
}

const zero = (): Sums => ({ impressions: 0, clicks: 0, conversions: 0, costMicros: 0 });

function addTo(sums: Sums, figures: TjAdFigures): void {
  sums.impressions += figures.impressions;
  sums.clicks += figures.clicks;
  sums.conversions += figures.conversions;
  sums.costMicros += figures.costMicros;
}

/** Whether an ad did anything that day: TJ may list idle ads or leave them out, and the sums must not depend on which. */
function isIdle(figures: TjAdFigures): boolean {
  return figures.impressions === 0 && figures.clicks === 0 && figures.conversions === 0 && figures.costMicros === 0;
}

/** Sums ads' figures per creative and day, and the others' per day; spend kept in millionths of a dollar until the end. */
export class DayTotals {
  private readonly ours = new Map<string, Map<string, Sums>>();
  private readonly others = new Map<string, { sums: Sums; ads: Set<string> }>();

  constructor(private readonly ids: CreativeIds) {}

  /** One ad's figures for one day; `name` is undefined for an ad the ads list did not give. */
  add(day: string, adId: string, name: string | undefined, figures: TjAdFigures): void {
    if (isIdle(figures)) return;
    const uniqueId = name === undefined ? undefined : uniqueIdInName(name);
    if (uniqueId !== undefined && this.ids.isOurs(uniqueId)) {
      const creatives = this.ours.get(day) ?? new Map<string, Sums>();
      this.ours.set(day, creatives);
      const sums = creatives.get(uniqueId) ?? zero();
      creatives.set(uniqueId, sums);
      addTo(sums, figures);
      return;
    }
    const other = this.others.get(day) ?? { sums: zero(), ads: new Set<string>() };
    this.others.set(day, other);
    other.ads.add(adId);
    addTo(other.sums, figures);
  }

  /** Rows by day, then by creative; the not-ours by day. */
  result(): ResultsFetch {
    const rows: CreativeDayFigures[] = [];
    for (const day of [...this.ours.keys()].sort()) {
      const creatives = this.ours.get(day) ?? new Map<string, Sums>();
      for (const uniqueId of [...creatives.keys()].sort()) {
        const sums = creatives.get(uniqueId) ?? zero();
        rows.push({
          uniqueId,
          day,
          impressions: sums.impressions,
          clicks: sums.clicks,
          conversions: sums.conversions,
          cost: dollars(sums.costMicros),
        });
      }
    }
    const notOurs: NotOursFigures[] = [...this.others.keys()].sort().map((day) => {
      const { sums, ads } = this.others.get(day) ?? { sums: zero(), ads: new Set<string>() };
      return {
        day,
        items: ads.size,
        impressions: sums.impressions,
        clicks: sums.clicks,
        conversions: sums.conversions,
        cost: dollars(sums.costMicros),
      };
    });
    return { rows, notOurs };
  }
}

/** Millionths of a dollar as dollars: the sum was made in whole numbers, so 0.1 + 0.2 is 0.3. */
function dollars(micros: number): number {
  return micros / 1_000_000;
}

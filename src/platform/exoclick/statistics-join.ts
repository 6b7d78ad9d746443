import type { CreativeDayFigures, CreativeIds, NotOursFigures, ResultsFetch } from '../results-source.js';
import type { StatisticsRow } from './statistics-rows.js';

/**
 * From variations' rows to our creatives' days: a row's variation → its library file → our
 * creative. Rows of one creative on one day (its variations in several campaigns) are summed;
 * rows whose variation shows a file that is none of ours, or that no campaign read lists, are
 * summed per day apart ("not ours"), never guessed and never dropped.
 */

/** Which goal counts as a conversion: `goals.total` (all of them) unless one goal id is named. */
export interface ConversionChoice {
  readonly goalId?: string | undefined;
}

/** Cost is summed in millionths of a dollar, so the sums are exact to the cent (and past it) whatever the number of rows. */
const MICROS = 1_000_000;

interface Sum {
  impressions: number;
  clicks: number;
  conversions: number;
  costMicros: number;
}

export function joinStatistics(
  rows: readonly StatisticsRow[],
  variationFiles: ReadonlyMap<string, string>,
  ids: CreativeIds,
  choice: ConversionChoice = {},
): ResultsFetch {
  const ours = new Map<string, Sum & { uniqueId: string; day: string }>();
  const notOurs = new Map<string, Sum & { variations: Set<string> }>();
  for (const row of rows) {
    const file = variationFiles.get(row.variationId);
    const uniqueId = file === undefined ? undefined : ids.uniqueIdOfExoFile(file);
    if (uniqueId !== undefined) {
      const key = `${uniqueId}\0${row.day}`;
      const sum = ours.get(key) ?? { uniqueId, day: row.day, ...zero() };
      ours.set(key, add(sum, row, choice));
    } else {
      const sum = notOurs.get(row.day) ?? { variations: new Set<string>(), ...zero() };
      sum.variations.add(row.variationId);
      notOurs.set(row.day, add(sum, row, choice));
    }
  }
  const creativeRows: CreativeDayFigures[] = [...ours.values()]
    .map(({ uniqueId, day, ...sum }) => ({ uniqueId, day, ...figures(sum) }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.uniqueId.localeCompare(b.uniqueId));
  const apart: NotOursFigures[] = [...notOurs.entries()]
    .map(([day, { variations, ...sum }]) => ({ day, items: variations.size, ...figures(sum) }))
    .sort((a, b) => a.day.localeCompare(b.day));
  return { rows: creativeRows, notOurs: apart };
}

function zero(): Sum {
  return { impressions: 0, clicks: 0, conversions: 0, costMicros: 0 };
}

function add<T extends Sum>(sum: T, row: StatisticsRow, choice: ConversionChoice): T {
  sum.impressions += row.impressions;
  sum.clicks += row.clicks;
  sum.conversions += choice.goalId === undefined ? row.goalsTotal : (row.goals.get(choice.goalId) ?? 0);
  sum.costMicros += Math.round(row.cost * MICROS);
  return sum;
}

function figures(sum: Sum): { impressions: number; clicks: number; conversions: number; cost: number } {
  return {
    impressions: sum.impressions,
    clicks: sum.clicks,
    conversions: sum.conversions,
    cost: sum.costMicros / MICROS,
  };
}

import { platformIds, type PlatformId } from '../core/platform.js';
import type { ResultsDay } from '../store/results.repository.js';
import type { CreativeDirectory } from './creative-directory.js';
import { addFigures, costPerConversion, ctrOf, NO_FIGURES, sumFigures, type Figures } from './figures.js';
import { judge, type Verdict, type VerdictSettings } from './verdicts.js';

/** Figures as `results --json` gives them: the four sums, and the two rates people read. */
export interface FiguresOut {
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly cost: number;
  readonly ctr: number;
  readonly cost_per_conversion: number | null;
}

export interface CreativeResult extends FiguresOut {
  readonly unique_id: string;
  readonly name: string;
  readonly test_id: string | null;
  readonly verdict: Verdict;
  readonly reason: string;
  readonly platforms: Record<PlatformId, FiguresOut>;
  /** For thumbnails: the record and its picture. */
  readonly key: string | null;
  readonly picture: string | null;
}

export interface TestResult extends FiguresOut {
  readonly test_id: string;
  /** Its creative with the lowest cost per conversion; null while none has converted. */
  readonly best: string | null;
}

export interface ResultsTable {
  readonly from: string;
  readonly to: string;
  readonly creatives: readonly CreativeResult[];
  readonly tests: readonly TestResult[];
  /** Ads and variations that are not ours, per platform: counted, never dropped. */
  readonly not_ours: Record<PlatformId, FiguresOut & { readonly items: number }>;
}

const KIND_LABELS: Readonly<Record<string, string>> = {
  native: 'the native creatives',
  preroll: 'the in-stream creatives',
  image: 'the image creatives',
};

/** Sums the stored days per creative and platform, judges each creative within its test (or type), best first. */
export function resultsTable(input: {
  from: string;
  to: string;
  days: readonly ResultsDay[];
  directory: CreativeDirectory;
  verdicts: VerdictSettings;
}): ResultsTable {
  const perCreative = new Map<string, Record<PlatformId, Figures>>();
  const notOurs: Record<PlatformId, Figures & { items: number }> = {};
  for (const day of input.days) {
    for (const platform of platformIds()) {
      const part = day.platforms[platform];
      if (!part) continue;
      for (const row of part.rows) {
        const platforms = perCreative.get(row.uniqueId) ?? {};
        platforms[platform] = addFigures(platforms[platform] ?? NO_FIGURES, row);
        perCreative.set(row.uniqueId, platforms);
      }
      const before = notOurs[platform] ?? { ...NO_FIGURES, items: 0 };
      // Items are counted per day: an ad reported on three days is three items-days, said as the most on one day.
      notOurs[platform] = { ...addFigures(before, part.notOurs), items: Math.max(before.items, part.notOurs.items) };
    }
  }
  const contenders = [...perCreative].map(([uniqueId, platforms]) => {
    const entry = input.directory.entry(uniqueId);
    const testId = entry?.testId;
    const group = testId
      ? { key: `test:${testId}`, label: `test ${testId}` }
      : { key: `kind:${entry?.kind ?? 'unknown'}`, label: KIND_LABELS[entry?.kind ?? ''] ?? 'the other creatives' };
    return { uniqueId, entry, platforms, figures: sumFigures(Object.values(platforms)), group };
  });
  const judged = judge(contenders, input.verdicts);
  const creatives: CreativeResult[] = contenders
    .map(({ uniqueId, entry, platforms, figures }) => ({
      unique_id: uniqueId,
      name: entry?.name ?? uniqueId,
      test_id: entry?.testId ?? null,
      ...out(figures),
      verdict: judged.get(uniqueId)?.verdict ?? 'watch',
      reason: judged.get(uniqueId)?.reason ?? '',
      platforms: Object.fromEntries(Object.entries(platforms).map(([platform, each]) => [platform, out(each)])),
      key: entry?.key ?? null,
      picture: entry?.picture ?? null,
    }))
    .sort(bestFirst);
  return {
    from: input.from,
    to: input.to,
    creatives,
    tests: testsOf(creatives),
    not_ours: Object.fromEntries(
      Object.entries(notOurs).map(([platform, each]) => [platform, { ...out(each), items: each.items }]),
    ),
  };
}

function testsOf(creatives: readonly CreativeResult[]): TestResult[] {
  const byTest = new Map<string, CreativeResult[]>();
  for (const creative of creatives)
    if (creative.test_id) byTest.set(creative.test_id, [...(byTest.get(creative.test_id) ?? []), creative]);
  return [...byTest]
    .map(([testId, members]) => {
      // Members are best first already: the first with a conversion wins.
      const best = members.find((member) => member.cost_per_conversion !== null);
      return { test_id: testId, ...out(sumFigures(members)), best: best?.unique_id ?? null };
    })
    .sort((a, b) => a.test_id.localeCompare(b.test_id));
}

/** Cheapest conversions first; those without any after, the most seen first. */
function bestFirst(a: CreativeResult, b: CreativeResult): number {
  if (a.cost_per_conversion !== null && b.cost_per_conversion !== null)
    return a.cost_per_conversion - b.cost_per_conversion || b.conversions - a.conversions;
  if (a.cost_per_conversion !== null) return -1;
  if (b.cost_per_conversion !== null) return 1;
  return b.impressions - a.impressions || a.unique_id.localeCompare(b.unique_id);
}

function out(figures: Figures): FiguresOut {
  return {
    impressions: figures.impressions,
    clicks: figures.clicks,
    conversions: figures.conversions,
    cost: figures.cost,
    ctr: Number(ctrOf(figures).toFixed(6)),
    cost_per_conversion: costPerConversion(figures) ?? null,
  };
}

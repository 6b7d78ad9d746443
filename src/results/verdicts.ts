import { costPerConversion, type Figures } from './figures.js';

export type Verdict = 'scale' | 'keep' | 'kill' | 'watch';

/** When a creative has had enough traffic to be judged, and how far from the others it must be. */
export interface VerdictSettings {
  /** Under this many impressions a creative is `watch`: too early to say anything (`RESULTS_MIN_IMPRESSIONS`). */
  readonly minImpressions: number;
  /** Conversions before a creative's cost per conversion is trusted on its own (`RESULTS_MIN_CONVERSIONS`). */
  readonly minConversions: number;
  /** At or under this share of the others' median cost per conversion: `scale` (`RESULTS_SCALE_AT`). */
  readonly scaleAt: number;
  /** At or over this multiple of it: `kill` (`RESULTS_KILL_AT`). */
  readonly killAt: number;
  /**
   * A creative with no conversion is `kill` once it has spent what this many conversions cost at
   * the others' median rate: before that, no conversion is what chance gives (`RESULTS_KILL_SPEND`).
   */
  readonly killSpendConversions: number;
}

export const DEFAULT_VERDICT_SETTINGS: VerdictSettings = {
  minImpressions: 1_000,
  minConversions: 3,
  scaleAt: 0.67,
  killAt: 2,
  killSpendConversions: 2.5,
};

/** A creative to judge: its figures, and the group it is compared within. */
export interface Contender {
  readonly uniqueId: string;
  readonly figures: Figures;
  /** Its test id (`T-…`), or its campaign type when it has none. */
  readonly group: { readonly key: string; readonly label: string };
}

export interface Judged {
  readonly verdict: Verdict;
  /** The verdict's reason in words, with the figures it rests on. */
  readonly reason: string;
}

/**
 * Sorts each creative into `scale`, `keep`, `kill` or `watch` against the others of its group. A
 * creative is measured against the median cost per conversion of the OTHERS, never a median that
 * includes itself: in a test of two, the dearer one pays its multiple of the cheaper one's rate.
 */
export function judge(
  contenders: readonly Contender[],
  settings: VerdictSettings = DEFAULT_VERDICT_SETTINGS,
): Map<string, Judged> {
  const judged = new Map<string, Judged>();
  for (const contender of contenders) {
    const others = contenders.filter(
      (other) => other.group.key === contender.group.key && other.uniqueId !== contender.uniqueId,
    );
    judged.set(contender.uniqueId, judgeOne(contender, others, settings));
  }
  return judged;
}

function judgeOne({ figures, group }: Contender, others: readonly Contender[], settings: VerdictSettings): Judged {
  if (figures.impressions < settings.minImpressions) {
    return {
      verdict: 'watch',
      reason: `only ${figures.impressions.toLocaleString('en-US')} impressions; judged from ${settings.minImpressions.toLocaleString('en-US')}`,
    };
  }
  const rate = median(
    others.map((other) => costPerConversion(other.figures)).filter((cpa): cpa is number => cpa !== undefined),
  );
  if (rate === undefined)
    return { verdict: 'watch', reason: `no other creative in ${group.label} has a conversion to compare with` };
  const cpa = costPerConversion(figures);
  const killSpend = rate * settings.killSpendConversions;
  if (cpa === undefined) {
    return figures.cost >= killSpend
      ? {
          verdict: 'kill',
          reason: `no conversion after spending ${dollars(figures.cost)}, what ${settings.killSpendConversions} conversions cost at ${group.label}'s median (${dollars(rate)} each)`,
        }
      : {
          verdict: 'watch',
          reason: `no conversion yet; judged once it has spent ${dollars(killSpend)} (${dollars(figures.cost)} so far)`,
        };
  }
  const ratio = cpa / rate;
  const against = `${ratio.toFixed(1)}× ${group.label}'s median cost per conversion after ${figures.conversions} conversion${figures.conversions === 1 ? '' : 's'}`;
  if (figures.conversions < settings.minConversions) {
    // Too few conversions to trust the rate, unless it has already spent far past the others' rate.
    if (ratio >= settings.killAt && figures.cost >= killSpend) return { verdict: 'kill', reason: against };
    return {
      verdict: 'watch',
      reason: `only ${figures.conversions} conversion${figures.conversions === 1 ? '' : 's'} so far (${against})`,
    };
  }
  if (ratio <= settings.scaleAt) return { verdict: 'scale', reason: against };
  if (ratio >= settings.killAt) return { verdict: 'kill', reason: against };
  return { verdict: 'keep', reason: against };
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function dollars(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

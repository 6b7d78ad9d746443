import type { CreativeResult, ResultsTable } from '../results/results-table.js';
import type { WinnerLine, WinnersSection } from './daily-report.js';

/** The report's "Which creatives win" from a results table: absent when no creative has results. */
export function winnersOf(table: ResultsTable): WinnersSection | undefined {
  if (table.creatives.length === 0) return undefined;
  const line = (creative: CreativeResult): WinnerLine => ({
    uniqueId: creative.unique_id,
    name: creative.name,
    reason: creative.reason,
    key: creative.key ?? undefined,
    picture: creative.picture ?? undefined,
  });
  const byId = new Map(table.creatives.map((creative) => [creative.unique_id, creative]));
  return {
    from: table.from,
    to: table.to,
    scale: table.creatives.filter((creative) => creative.verdict === 'scale').map(line),
    kill: table.creatives.filter((creative) => creative.verdict === 'kill').map(line),
    tests: table.tests.map((test) => {
      const best = test.best === null ? undefined : byId.get(test.best);
      return { testId: test.test_id, best: best ? line(best) : undefined };
    }),
  };
}

import { platformName } from '../core/platform.js';
import type { FetchOutcome } from './results.service.js';
import type { ResultsTable } from './results-table.js';

/** `results` as people read it: creatives best first with their verdicts and reasons, then each test. */
export function formatResults(table: ResultsTable): string {
  const lines = [`Results ${table.from} to ${table.to} (TJ and ExoClick, days in US Eastern time)`, ''];
  if (table.creatives.length === 0) {
    lines.push('No results stored for these days: `creative-flow fetch-results` fetches them (TJ needs TJ_API_KEY).');
    return lines.join('\n');
  }
  lines.push(
    `${'verdict'.padEnd(7)}  ${'creative'.padEnd(11)}  ${'impr.'.padStart(9)}  ${'clicks'.padStart(7)}  ${'conv.'.padStart(6)}  ${'cost'.padStart(10)}  ${'per conv.'.padStart(9)}  name`,
  );
  for (const creative of table.creatives) {
    lines.push(
      `${creative.verdict.padEnd(7)}  ${creative.unique_id.padEnd(11)}  ${String(creative.impressions).padStart(9)}  ${String(creative.clicks).padStart(7)}  ${String(creative.conversions).padStart(6)}  ${dollars(creative.cost).padStart(10)}  ${(creative.cost_per_conversion === null ? '–' : dollars(creative.cost_per_conversion)).padStart(9)}  ${creative.name}`,
      `${''.padEnd(9)}${creative.reason}`,
    );
  }
  if (table.tests.length > 0) {
    lines.push('', 'Tests:');
    for (const test of table.tests)
      lines.push(
        `  ${test.test_id}: ${test.conversions} conversions for ${dollars(test.cost)}; best ${test.best ?? 'not yet known (no conversion)'}`,
      );
  }
  const apart = Object.entries(table.not_ours).filter(([, figures]) => figures.impressions > 0 || figures.cost > 0);
  if (apart.length > 0) {
    lines.push('', 'Not ours (ads or variations without an ID- of ours, counted apart):');
    for (const [platform, figures] of apart)
      lines.push(
        `  ${platformName(platform)}: ${figures.items} at most on a day, ${figures.impressions} impressions, ${dollars(figures.cost)}`,
      );
  }
  return lines.join('\n');
}

/** What `fetch-results` did, one line a platform. */
export function formatFetch(outcomes: readonly FetchOutcome[]): string {
  return outcomes
    .map(
      (outcome) =>
        `${platformName(outcome.platform)}: ${outcome.skipped ? `nothing fetched: ${outcome.skipped}` : `${outcome.days} day${outcome.days === 1 ? '' : 's'} fetched`}`,
    )
    .join('\n');
}

function dollars(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

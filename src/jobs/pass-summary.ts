import type { UploadOutcome, UploadSummary } from '../core/outcomes.js';
import { platformName, type PlatformId } from '../core/platform.js';

/** How an upload pass tells people what it did, across the platforms it sent to. */

/** Files a dry run would send, named: the first few, then how many more. */
export function dryRunList(outcomes: readonly UploadOutcome[], shown = 5): string {
  const names = outcomes
    .slice(0, shown)
    .map((outcome) => `${outcome.path.split('/').at(-1)} (${platformName(outcome.platform)})`);
  const more = outcomes.length - names.length;
  return `${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** What one platform's share of an upload pass came to. */
export interface PlatformPass {
  readonly platform: PlatformId;
  readonly summary?: UploadSummary;
  readonly waitingFor?: string;
  readonly failure?: unknown;
}

/** Two platforms' shares of one pass, as one summary. */
export function mergeSummaries(a: UploadSummary, b: UploadSummary): UploadSummary {
  const loginMessage = a.loginMessage ?? b.loginMessage;
  return {
    dryRun: a.dryRun,
    outcomes: [...a.outcomes, ...b.outcomes],
    uploaded: a.uploaded + b.uploaded,
    duplicates: a.duplicates + b.duplicates,
    rejected: a.rejected + b.rejected,
    pending: a.pending + b.pending,
    loginRequired: a.loginRequired || b.loginRequired,
    ...(loginMessage ? { loginMessage } : {}),
  };
}

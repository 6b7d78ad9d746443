import type { SessionStatus } from '../core/platform.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import { INGEST_STATES, STATES, type State } from '../core/state.js';

export interface StatusReport {
  readonly total: number;
  readonly counts: Readonly<Record<State, number>>;
  /** Files found but not yet staged: the ingest queue, as the database knows it. */
  readonly inProgress: number;
  /** Creatives named with an `UNK` token or an invalid value. */
  readonly needsReview: number;
  /** Files set aside because their hash is in `tracking/known_fakes.csv`. */
  readonly knownFakes: number;
  /** Why work on TJ waits for a person, when it does. */
  readonly platform?: SessionStatus;
  readonly lastProblems: readonly { file: string; state: State; reason: string; at: string }[];
}

export async function statusReport(creatives: Pick<CreativeRepository, 'index' | 'forEachSegment'>, platform?: SessionStatus, problems = 10): Promise<StatusReport> {
  const counts = Object.fromEntries(STATES.map((state) => [state, creatives.index.countsByState().get(state) ?? 0])) as Record<State, number>;
  let needsReview = 0;
  let knownFakes = 0;
  let withReasons: { file: string; state: State; reason: string; at: string }[] = [];
  await creatives.forEachSegment((records) => {
    for (const record of records) {
      if ((record.naming?.review.length ?? 0) > 0) needsReview += 1;
      if (record.knownFake) knownFakes += 1;
      if (record.reason && record.state !== 'duplicate') {
        withReasons.push({ file: record.source.path, state: record.state, reason: record.reason, at: record.times[record.state] ?? record.times.discovered ?? '' });
      }
    }
    withReasons = withReasons.sort((a, b) => b.at.localeCompare(a.at)).slice(0, problems);
  });
  return {
    total: creatives.index.size,
    counts,
    inProgress: STATES.filter((state) => INGEST_STATES.has(state)).reduce((sum, state) => sum + counts[state], 0),
    needsReview,
    knownFakes,
    ...(platform ? { platform } : {}),
    lastProblems: withReasons,
  };
}

export function formatStatus(report: StatusReport): string {
  const lines = [`creatives: ${report.total}`, ''];
  if (report.platform) lines.push(`TJ: ${report.platform.state === 'password-refused' ? 'password refused' : 'login needed'} since ${report.platform.since}`, `    ${report.platform.message}`, '');
  for (const state of STATES) lines.push(`  ${state.padEnd(11)} ${report.counts[state]}`);
  lines.push('', `in progress (queued or between steps): ${report.inProgress}`, `needs review (UNK tokens, ids not the content's): ${report.needsReview}`, `known fakes set aside: ${report.knownFakes}`, '');
  if (report.lastProblems.length === 0) {
    lines.push('No errors.');
  } else {
    lines.push('Last errors:');
    for (const problem of report.lastProblems) lines.push(`  ${problem.at}  ${problem.state}  ${problem.file}`, `      ${problem.reason}`);
  }
  return lines.join('\n');
}

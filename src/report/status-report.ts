import { forPeople } from '../core/dates.js';
import { PLATFORM_NAMES, type PlatformId, type SessionStatus } from '../core/platform.js';
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
  /** Each enabled platform: the creatives it has, and why work on it waits for a person, when it does. */
  readonly platforms: readonly PlatformStatus[];
  readonly lastProblems: readonly { file: string; state: State; reason: string; at: string }[];
}

export interface PlatformStatus {
  readonly platform: PlatformId;
  /** Creatives with every output on this platform (uploaded, or found there already). */
  readonly creatives: number;
  readonly waiting?: SessionStatus;
}

export async function statusReport(
  creatives: Pick<CreativeRepository, 'index' | 'forEachSegment'>,
  platforms: readonly { platform: PlatformId; waiting: SessionStatus | undefined }[],
  problems = 10,
): Promise<StatusReport> {
  const onPlatform = new Map<PlatformId, number>(platforms.map(({ platform }) => [platform, 0]));
  const counts = Object.fromEntries(STATES.map((state) => [state, creatives.index.countsByState().get(state) ?? 0])) as Record<State, number>;
  let needsReview = 0;
  let knownFakes = 0;
  let withReasons: { file: string; state: State; reason: string; at: string }[] = [];
  await creatives.forEachSegment((records) => {
    for (const record of records) {
      if ((record.naming?.review.length ?? 0) > 0) needsReview += 1;
      if (record.knownFake) knownFakes += 1;
      const sent = (record.outputs ?? []).filter((output) => output.role !== 'original');
      for (const [platform, count] of onPlatform) {
        if (sent.length > 0 && sent.every((output) => ['uploaded', 'duplicate'].includes(output.uploads?.[platform]?.status ?? ''))) onPlatform.set(platform, count + 1);
      }
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
    platforms: platforms.map(({ platform, waiting }) => ({ platform, creatives: onPlatform.get(platform) ?? 0, ...(waiting ? { waiting } : {}) })),
    lastProblems: withReasons,
  };
}

export function formatStatus(report: StatusReport): string {
  const lines = [`creatives: ${report.total}`, ''];
  for (const { platform, creatives, waiting } of report.platforms) {
    const name = PLATFORM_NAMES[platform];
    lines.push(`${name}: ${creatives} creative${creatives === 1 ? '' : 's'} on ${name}${waiting ? `; waits (${waiting.state === 'password-refused' ? (platform === 'tj' ? 'password refused' : 'API token refused') : 'login needed'} since ${forPeople(waiting.since)})` : ''}`);
    if (waiting) lines.push(`    ${waiting.message}`);
  }
  lines.push('');
  for (const state of STATES) lines.push(`  ${state.padEnd(11)} ${report.counts[state]}`);
  lines.push('', `in progress (queued or between steps): ${report.inProgress}`, `needs review (UNK tokens, ids not the content's): ${report.needsReview}`, `known fakes set aside: ${report.knownFakes}`, '');
  if (report.lastProblems.length === 0) {
    lines.push('No errors.');
  } else {
    lines.push('Last errors:');
    for (const problem of report.lastProblems) lines.push(`  ${problem.at ? forPeople(problem.at) : ''}  ${problem.state}  ${problem.file}`, `      ${problem.reason}`);
  }
  return lines.join('\n');
}

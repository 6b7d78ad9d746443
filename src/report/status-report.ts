import { forPeople } from '../core/dates.js';
import { platformName, platformRefusal, type PlatformId, type SessionStatus } from '../core/platform.js';
import { problemOf } from '../core/record.js';
import { redactText } from '../core/redact.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { SegmentDigest } from '../store/segment-summary.js';
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
  /** Each platform's results from its reporting API: fetched when, or why not. */
  readonly results: readonly string[];
  readonly lastProblems: readonly Problem[];
}

type Problem = NonNullable<ReturnType<typeof problemOf>>;

export interface PlatformStatus {
  readonly platform: PlatformId;
  /** Creatives with every output on this platform (uploaded, or found there already). */
  readonly creatives: number;
  /** Why it waits. Never the refused credentials' fingerprint: a hash of the password, printed, can be guessed at offline. */
  readonly waiting?: Omit<SessionStatus, 'credentials'>;
}

/**
 * What `status` prints. Counts come from the index and the segments' summaries; only segments
 * holding problems are read, newest first, until the `problems` newest are certain.
 */
export async function statusReport(
  creatives: Pick<CreativeRepository, 'index' | 'segmentDigests' | 'segmentRecords'>,
  platforms: readonly { platform: PlatformId; waiting: SessionStatus | undefined }[],
  results: readonly string[] = [],
  problems = 10,
): Promise<StatusReport> {
  const counts = Object.fromEntries(
    STATES.map((state) => [state, creatives.index.countsByState().get(state) ?? 0]),
  ) as Record<State, number>;
  const digests = creatives.segmentDigests();
  const summed = (of: (digest: SegmentDigest) => number): number =>
    digests.reduce((total, { digest }) => total + of(digest), 0);
  let lastProblems: Problem[] = [];
  const withProblems = digests
    .filter(({ digest }) => digest.problems > 0)
    .sort((a, b) => b.digest.latestAt.localeCompare(a.digest.latestAt));
  for (const { number, digest } of withProblems) {
    // Nothing in this segment, or any after it, is newer than its latest time.
    if (lastProblems.length >= problems && digest.latestAt < (lastProblems.at(-1)?.at ?? '')) break;
    for (const record of await creatives.segmentRecords(number)) {
      const problem = problemOf(record);
      if (problem) lastProblems.push({ ...problem, reason: redactText(problem.reason) });
    }
    lastProblems = lastProblems.sort((a, b) => b.at.localeCompare(a.at)).slice(0, problems);
  }
  return {
    total: creatives.index.size,
    counts,
    inProgress: STATES.filter((state) => INGEST_STATES.has(state)).reduce((sum, state) => sum + counts[state], 0),
    needsReview: summed((digest) => digest.needsReview),
    knownFakes: summed((digest) => digest.knownFakes),
    platforms: platforms.map(({ platform, waiting }) => ({
      platform,
      creatives: summed((digest) => digest.onPlatform[platform] ?? 0),
      ...(waiting ? { waiting: shownWait(waiting) } : {}),
    })),
    results: results.map(redactText),
    lastProblems,
  };
}

/** A wait as `status` shows it (text or `--json`): its words without credentials, and no fingerprint of them. */
function shownWait({ credentials: _fingerprint, ...waiting }: SessionStatus): PlatformStatus['waiting'] {
  return { ...waiting, message: redactText(waiting.message) };
}

export function formatStatus(report: StatusReport): string {
  const lines = [`creatives: ${report.total}`, ''];
  for (const { platform, creatives, waiting } of report.platforms) {
    const name = platformName(platform);
    lines.push(
      `${name}: ${creatives} creative${creatives === 1 ? '' : 's'} on ${name}${waiting ? `; waits (${waiting.state === 'password-refused' ? platformRefusal(platform) : 'login needed'} since ${forPeople(waiting.since)})` : ''}`,
    );
    if (waiting) lines.push(`    ${waiting.message}`);
  }
  lines.push('');
  if (report.results.length > 0) lines.push(...report.results, '');
  for (const state of STATES) lines.push(`  ${state.padEnd(11)} ${report.counts[state]}`);
  lines.push(
    '',
    `in progress (queued or between steps): ${report.inProgress}`,
    `needs review (UNK tokens, ids not the content's): ${report.needsReview}`,
    `known fakes set aside: ${report.knownFakes}`,
    '',
  );
  if (report.lastProblems.length === 0) {
    lines.push('No errors.');
  } else {
    lines.push('Last errors:');
    for (const problem of report.lastProblems)
      lines.push(
        `  ${problem.at ? forPeople(problem.at) : ''}  ${problem.state}  ${problem.file}`,
        `      ${problem.reason}`,
      );
  }
  return lines.join('\n');
}

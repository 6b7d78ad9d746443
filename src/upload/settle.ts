import { fileName } from '../core/files.js';
import { platformName, type PlatformId } from '../core/platform.js';
import type { CreativeRecord, OutputFile, PlatformUpload } from '../core/record.js';
import type { State } from '../core/state.js';

/** Answers that settle an output on a platform for good. */
export const SETTLED: ReadonlySet<PlatformUpload['status']> = new Set(['uploaded', 'duplicate', 'rejected', 'unfit']);

/** Where one platform stands with one creative. */
export type PlatformVerdict =
  /** Some output still waits to be sent, or is in flight, or failed fewer passes than allowed. */
  | { readonly kind: 'pending' }
  /** Every output is on the platform. */
  | { readonly kind: 'has' }
  /** The platform refused an output, or an output is outside its limits: given up, with why. */
  | { readonly kind: 'refused' | 'unfit'; readonly reason: string }
  /** An output failed every pass allowed, for reasons not its own. */
  | { readonly kind: 'gave-up'; readonly reason: string };

/** The outputs a platform is sent: everything but the kept original. */
export function sendable(record: CreativeRecord): OutputFile[] {
  return (record.outputs ?? []).filter((output) => output.role !== 'original');
}

export function verdictOf(record: CreativeRecord, platform: PlatformId, maxFailedPasses: number): PlatformVerdict {
  const outputs = sendable(record);
  const name = platformName(platform);
  const uploadOf = (output: OutputFile): PlatformUpload | undefined => output.uploads?.[platform];
  if (outputs.every((output) => SETTLED.has(uploadOf(output)?.status ?? 'in_flight'))) {
    const refused = outputs.find((output) => uploadOf(output)?.status === 'rejected');
    if (refused)
      return {
        kind: 'refused',
        reason: `${name} refused ${fileName(refused.path)}: ${uploadOf(refused)?.message ?? 'no reason given'}`,
      };
    const unfit = outputs.find((output) => uploadOf(output)?.status === 'unfit');
    if (unfit)
      return { kind: 'unfit', reason: `Not sent to ${name}: ${uploadOf(unfit)?.message ?? 'outside its limits'}` };
    return { kind: 'has' };
  }
  // Given up only once no output is still on its way: one in flight may yet be kept.
  const stillGoing = outputs.some((output) => {
    const upload = uploadOf(output);
    return (
      !upload ||
      upload.status === 'in_flight' ||
      (upload.status === 'failed' && (upload.failedPasses ?? 0) < maxFailedPasses)
    );
  });
  const gaveUp = outputs.find((output) => uploadOf(output)?.status === 'failed');
  if (stillGoing || !gaveUp) return { kind: 'pending' };
  const upload = uploadOf(gaveUp);
  return {
    kind: 'gave-up',
    reason: `Upload of ${fileName(gaveUp.path)} to ${name} failed in ${upload?.failedPasses} passes, for reasons not the file's; last: ${upload?.message}`,
  };
}

/** What a person can do about a creative that failed for good. */
const RETRY_HINT = '`creative-flow upload --retry-failed` tries again.';

/**
 * A staged creative's state once the enabled platforms have answered. It waits while any platform
 * is still working on it (a platform that waits for a person holds back only its own part). Once
 * none is, it is `uploaded` (and archived) when any platform has it, else `failed` when a platform
 * gave up for reasons not the file's (a person may try again), else `rejected`. The reason lists
 * every platform that does not have it.
 */
export function settledState(
  record: CreativeRecord,
  platforms: readonly PlatformId[],
  maxFailedPasses: number,
): { state: State; reason: string | undefined } {
  const verdicts = platforms.map((platform) => verdictOf(record, platform, maxFailedPasses));
  const reasons = verdicts.flatMap((verdict) => ('reason' in verdict ? [verdict.reason] : []));
  const reason = reasons.length > 0 ? reasons.join('; ') : undefined;
  if (verdicts.some((verdict) => verdict.kind === 'pending')) {
    // A platform that gave up while another still works: said now, settled once the other answers.
    return { state: record.state, reason: reason ?? record.reason };
  }
  if (verdicts.some((verdict) => verdict.kind === 'has')) return { state: 'uploaded', reason };
  if (verdicts.some((verdict) => verdict.kind === 'gave-up'))
    return { state: 'failed', reason: `${reason ?? ''}. ${RETRY_HINT}` };
  return { state: 'rejected', reason };
}

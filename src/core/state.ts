/**
 * A creative's progress through the pipeline. Each step records its state only after its outputs
 * are durably in place, so a restart resumes from the last recorded state.
 */
export const STATES = [
  'discovered',
  'probed',
  'named',
  'converted',
  'staged',
  'uploaded',
  'archived',
  'failed',
  'rejected',
  'duplicate',
] as const;

export type State = (typeof STATES)[number];

/** States in which the file still needs work from the ingest pipeline. */
export const INGEST_STATES: ReadonlySet<State> = new Set(['discovered', 'probed', 'named', 'converted']);

const TRANSITIONS: Readonly<Record<State, readonly State[]>> = {
  discovered: ['discovered', 'probed', 'rejected', 'failed'],
  probed: ['discovered', 'named', 'rejected', 'failed'],
  named: ['discovered', 'converted', 'duplicate', 'rejected', 'failed'],
  converted: ['discovered', 'staged', 'rejected', 'failed'],
  staged: ['uploaded', 'rejected', 'duplicate', 'failed'],
  uploaded: ['archived'],
  archived: [],
  // A file that failed in inbox/ starts over once retried; one whose upload failed is staged again.
  failed: ['discovered', 'staged'],
  rejected: [],
  duplicate: [],
};

export function canTransition(from: State, to: State): boolean {
  return TRANSITIONS[from].includes(to);
}

export class InvalidTransitionError extends Error {
  constructor(from: State, to: State, key: string) {
    super(`Creative ${key} cannot go from ${from} to ${to}; this is a bug, please report it with the log.`);
    this.name = 'InvalidTransitionError';
  }
}

export function assertTransition(from: State, to: State, key: string): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to, key);
}

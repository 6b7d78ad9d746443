import { seededRandom } from '../../simulators/http.js';

/**
 * Which points of a fault sweep run. A flow run with no fault makes R requests; a point strikes a
 * fault at request N (1…R). The whole sweep (`npm run test:sweep -- --full`, or `SWEEP_FULL=1`)
 * tries every N; otherwise a seeded sample of `sample` points a flow (`SWEEP_SAMPLE`, else the
 * sweep's own number), drawn anew each run (or from `SWEEP_SEED`, which a failure prints so the
 * run can be replayed).
 */
export interface SweepSettings {
  readonly full: boolean;
  readonly seed: number;
  /** `SWEEP_SAMPLE`: points a flow in a sampled run, where set (each sweep has its own default). */
  readonly sample: number | undefined;
}

/** The settings of this run, from the environment: `SWEEP_FULL=1`, `SWEEP_SEED=<n>`. */
export function sweepSettings(env: NodeJS.ProcessEnv = process.env): SweepSettings {
  const seed = Number(env.SWEEP_SEED);
  const sample = Number(env.SWEEP_SAMPLE);
  return {
    full: env.SWEEP_FULL === '1',
    seed: Number.isInteger(seed) && env.SWEEP_SEED !== '' ? seed : Math.floor(Math.random() * 2 ** 31),
    sample: Number.isInteger(sample) && sample > 0 ? sample : undefined,
  };
}

/**
 * The requests to strike, 1-based, ascending: all of 1…`total` for a full sweep, else `sample` of
 * them drawn by the seed (the first and last always among them: a flow's edges are where faults
 * were first missed). `salt` keeps flows that share a seed from striking the same numbers.
 */
export function sweepPoints(total: number, sample: number, settings: SweepSettings, salt = 0): number[] {
  const all = Array.from({ length: total }, (_, index) => index + 1);
  if (settings.full || total <= sample) return all;
  const random = seededRandom(settings.seed * 31 + salt);
  const middle = all.slice(1, -1);
  // Fisher–Yates over the middle, then the edges added back.
  for (let i = middle.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [middle[i], middle[j]] = [middle[j] as number, middle[i] as number];
  }
  return [1, ...middle.slice(0, Math.max(0, sample - 2)), total].sort((a, b) => a - b);
}

/** The line a failing point prints (`point`: which fault, where), so the run can be replayed exactly. */
export function replayHint(settings: SweepSettings, flow: string, point: string): string {
  const sample = settings.sample === undefined ? '' : ` SWEEP_SAMPLE=${settings.sample}`;
  return `${flow}, ${point}: replay with SWEEP_SEED=${settings.seed}${sample}${settings.full ? ' SWEEP_FULL=1' : ''} npm run test:sweep`;
}

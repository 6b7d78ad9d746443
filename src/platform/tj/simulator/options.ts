/** How the simulator behaves. Every fault is off by default. */
export interface SimulatorOptions {
  readonly port: number;
  readonly host: string;
  readonly username: string;
  readonly password: string;
  /** Enables `#submitBtn` at once instead of waiting for a person to tick the stand-in captcha. */
  readonly noCaptcha: boolean;
  /** Minutes of inactivity after which a session dies. */
  readonly sessionMinutes: number;
  /** Added to every response, in ms. */
  readonly latencyMs: number;
  /** Share (0–1) of uploads answered with HTTP 500. */
  readonly errorRate: number;
  /** Share (0–1) of uploads whose connection is dropped mid-request. */
  readonly dropRate: number;
  /** Time TJ takes to process each upload before it answers, in ms. */
  readonly processingMs: number;
  /** Cards per Media Library page. */
  readonly perPage: number;
  /** Seed of the random faults, so a run can be repeated. */
  readonly faultSeed: number;
  /** TJ refuses (dz-error) files whose name matches this, as its review of content would. */
  readonly rejectPattern: string | undefined;
}

export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  port: 4780,
  host: '127.0.0.1',
  username: 'demo',
  password: 'demo-password',
  noCaptcha: false,
  sessionMinutes: 30,
  latencyMs: 0,
  errorRate: 0,
  dropRate: 0,
  processingMs: 0,
  perPage: 12,
  faultSeed: 1,
  rejectPattern: undefined,
};

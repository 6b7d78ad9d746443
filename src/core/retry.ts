// Trying again after a pause: the one backoff schedule (doubling from a base, up to a ceiling,
// with or without jitter), a wait that a signal ends at once, and the loop that puts them together.

/**
 * How long the waits between tries are: `baseMs` before the second try, then twice as long each
 * time, never more than `maxMs`.
 */
export interface BackoffSchedule {
  /** The first wait. */
  readonly baseMs: number;
  /** The longest one wait lasts: no ceiling unless given. */
  readonly maxMs?: number;
  /**
   * Spreads the waits of clients refused together, so they do not all come back together:
   * `half` waits half to all of the doubled wait, `full` none to all of it, `none` (the default)
   * exactly it.
   */
  readonly jitter?: 'none' | 'half' | 'full';
  /** The jitter's source (0 ≤ x < 1): `Math.random` unless given. */
  readonly random?: () => number;
}

/** The wait after try number `attempt` (1 for the first try) failed: `baseMs × 2^(attempt − 1)`, at most `maxMs`, jittered. */
export function backoff(attempt: number, schedule: BackoffSchedule): number {
  // `|| 0`: a base of 0 stays 0 however far the doubling goes (0 × Infinity is NaN).
  const doubled = Math.min(schedule.maxMs ?? Number.POSITIVE_INFINITY, schedule.baseMs * 2 ** (attempt - 1)) || 0;
  const random = schedule.random ?? Math.random;
  if (schedule.jitter === 'half') return doubled * (0.5 + random() / 2);
  if (schedule.jitter === 'full') return doubled * random();
  return doubled;
}

/** The longest wait a timer takes: a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Waits `ms` milliseconds. The signal ends the wait at once (and one already stopped never starts
 * it): the promise then rejects with the signal's reason. `ref: false` does not keep the process
 * alive for the wait alone.
 */
export function sleep(
  ms: number,
  options: { readonly signal?: AbortSignal | undefined; readonly ref?: boolean } = {},
): Promise<void> {
  const { signal } = options;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      // The signal's own reason, whatever it is, is what a stop rejects with: a caller tells its stop by it.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject(signal.reason);
      return;
    }
    const stop = (): void => {
      clearTimeout(timer);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', stop);
        resolve();
      },
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    );
    if (options.ref === false) timer.unref();
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** What one try came to: a value, or the error it threw. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface RetryOptions<T> {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** The waits between tries: a schedule ({@link backoff}), or the wait after try `attempt` came to `outcome`. */
  readonly backoff: BackoffSchedule | ((attempt: number, outcome: Outcome<T>) => number);
  /** Ends a wait at once: the retry then rejects with the signal's reason (unless `wait` says otherwise). */
  readonly signal?: AbortSignal | undefined;
  /** Whether a thrown error is worth another try: every one unless given. */
  readonly isRetryable?: (error: unknown, attempt: number) => boolean;
  /** Whether a value returned still calls for another try (an answer to ask again): none unless given. The last try's is returned as it is. */
  readonly isRetryableResult?: (value: T, attempt: number) => boolean;
  /** Told before each wait: the try that failed, what it came to, and how long the wait is. */
  readonly onRetry?: (retry: {
    readonly attempt: number;
    readonly waitMs: number;
    readonly outcome: Outcome<T>;
  }) => void;
  /** How a wait is waited: {@link sleep} with `signal` unless given (a caller's own stop error, a pause it logs). */
  readonly wait?: (ms: number) => Promise<void>;
}

/**
 * Runs `attempt` (told its number, 1 for the first) until it succeeds, fails in a way not worth
 * another try, or has been tried `attempts` times, waiting on the backoff between tries. Returns
 * the last try's value, or throws its error.
 */
export async function retry<T>(attempt: (attempt: number) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const wait = options.wait ?? ((ms: number) => sleep(ms, { signal: options.signal }));
  for (let tried = 1; ; tried += 1) {
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await attempt(tried) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const again = outcome.ok
      ? (options.isRetryableResult?.(outcome.value, tried) ?? false)
      : (options.isRetryable?.(outcome.error, tried) ?? true);
    if (!again || tried >= options.attempts) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    const waitMs =
      typeof options.backoff === 'function' ? options.backoff(tried, outcome) : backoff(tried, options.backoff);
    options.onRetry?.({ attempt: tried, waitMs, outcome });
    await wait(waitMs);
  }
}

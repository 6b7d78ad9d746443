import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoff, retry, sleep } from './retry.js';

describe('backoff', () => {
  it('doubles from the base up to the ceiling, and jitters within its share', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoff(attempt, { baseMs: 100, maxMs: 1_000 }))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    expect(backoff(2_000, { baseMs: 100, maxMs: 1_000 })).toBe(1_000);
    expect(backoff(2_000, { baseMs: 0 })).toBe(0);
    expect(backoff(3, { baseMs: 100, jitter: 'half', random: () => 0 })).toBe(200);
    expect(backoff(3, { baseMs: 100, jitter: 'half', random: () => 0.5 })).toBe(300);
    expect(backoff(3, { baseMs: 100, jitter: 'full', random: () => 0.25 })).toBe(100);
  });
});

describe('sleep and retry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the time asked, and a stop ends the wait at once with its reason', async () => {
    let woke = false;
    void sleep(1_000).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(woke).toBe(true);

    const stop = new AbortController();
    const waiting = sleep(60_000, { signal: stop.signal });
    stop.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    expect(vi.getTimerCount()).toBe(0);
    // Already stopped: never starts.
    await expect(sleep(10, { signal: stop.signal })).rejects.toThrow('stopping');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('tries exactly `attempts` times, waiting on the schedule between tries, then throws the last error', async () => {
    const tried: number[] = [];
    const waits: number[] = [];
    const result = retry(
      (attempt) => {
        tried.push(attempt);
        return Promise.reject(new Error(`try ${attempt} failed`));
      },
      { attempts: 3, backoff: { baseMs: 100 }, onRetry: ({ waitMs }) => waits.push(waitMs) },
    );
    // Held, not awaited yet: the fake clock moves the retry on before the assertion can settle.
    // eslint-disable-next-line vitest/valid-expect
    const settled = expect(result).rejects.toThrow('try 3 failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(tried).toEqual([1]);
    await vi.advanceTimersByTimeAsync(99);
    expect(tried).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(tried).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(200);
    await settled;
    expect(tried).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns the first success, and does not retry an error that is not worth it', async () => {
    let calls = 0;
    const succeeding = retry(
      () => {
        calls += 1;
        return calls < 2 ? Promise.reject(new Error('flaky')) : Promise.resolve('done');
      },
      { attempts: 5, backoff: { baseMs: 10 } },
    );
    await vi.advanceTimersByTimeAsync(10);
    expect(await succeeding).toBe('done');
    expect(calls).toBe(2);

    let refusals = 0;
    const refused = retry(
      () => {
        refusals += 1;
        return Promise.reject(new Error('refused'));
      },
      { attempts: 5, backoff: { baseMs: 10 }, isRetryable: (error) => (error as Error).message !== 'refused' },
    );
    await expect(refused).rejects.toThrow('refused');
    expect(refusals).toBe(1);
  });

  it('retries a result that asks for it, and hands back the last one when the tries run out', async () => {
    const answers = [503, 429, 503];
    const waitsAsked: number[] = [];
    const result = retry(async (attempt) => answers[attempt - 1] ?? 0, {
      attempts: 3,
      isRetryableResult: (status) => status >= 429,
      backoff: (attempt, outcome) => (outcome.ok && outcome.value === 429 ? 1_000 : attempt * 10),
      wait: (ms) => {
        waitsAsked.push(ms);
        return Promise.resolve();
      },
    });
    expect(await result).toBe(503);
    expect(waitsAsked).toEqual([10, 1_000]);
  });

  it('stops waiting at once when its signal stops, and tries no more', async () => {
    const stop = new AbortController();
    let calls = 0;
    const result = retry(
      () => {
        calls += 1;
        return Promise.reject(new Error('down'));
      },
      { attempts: 10, backoff: { baseMs: 60_000 }, signal: stop.signal },
    );
    // Held, not awaited yet: the fake clock moves the retry on before the assertion can settle.
    // eslint-disable-next-line vitest/valid-expect
    const settled = expect(result).rejects.toThrow('shutting down');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    stop.abort(new Error('shutting down'));
    await settled;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(calls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

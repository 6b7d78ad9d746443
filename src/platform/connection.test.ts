import { describe, expect, it, vi } from 'vitest';
import { ActivityBus } from '../core/events.js';
import { createLogger } from '../core/logger.js';
import type { SessionStatus } from '../core/platform.js';
import { SessionStartError, credentialsFingerprint, PlatformConnection, PlatformWaitsError } from './connection.js';
import { CredentialsRefusedError, LoginRequiredError, type Uploader } from './uploader.js';

const log = createLogger({ level: 'silent', pretty: false });

/** A connection over fakes: counts browsers opened and closed, keeps its status in memory, and saves a session on cue. */
function harness(credentials = credentialsFingerprint('demo', 'S3cret-pass'), startFailures = 0) {
  const counts = { opened: 0, closed: 0, running: 0, mostAtOnce: 0 };
  let savedAt = 1;
  let status: SessionStatus | undefined;
  const browsers: { alive: boolean }[] = [];
  let failing = startFailures;
  const open = async (): Promise<Uploader> => {
    counts.opened += 1;
    if (failing > 0) {
      failing -= 1;
      throw new Error('Failed to launch the browser process');
    }
    const browser = { alive: true, close: async () => void (counts.closed += 1) };
    browsers.push(browser);
    return browser as unknown as Uploader;
  };
  const connection = new PlatformConnection({
    platform: 'tj',
    open,
    session: { savedAt: async () => savedAt },
    status: {
      read: async () => status,
      write: async (next) => void (status = next),
      clear: async () => void (status = undefined),
    },
    credentials,
    events: new ActivityBus(),
    log,
    reopenBackoffMs: 100,
  });
  /** Work that holds the browser for a while and notes how many pieces ran at once. */
  const work = async (ms: number): Promise<void> => {
    counts.running += 1;
    counts.mostAtOnce = Math.max(counts.mostAtOnce, counts.running);
    await new Promise((resolve) => setTimeout(resolve, ms));
    counts.running -= 1;
  };
  return {
    connection,
    counts,
    work,
    browsers,
    status: () => status,
    saveSession: () => void (savedAt = Date.now() + 1_000),
  };
}

describe('PlatformConnection', () => {
  it('opens the browser on first use and keeps it between pieces of work', async () => {
    const h = harness();
    await h.connection.use(async () => 'one');
    expect(await h.connection.use(async () => 'two')).toBe('two');
    expect(h.counts.opened).toBe(1);
    await h.connection.close();
    expect(h.counts.closed).toBe(1);
  });

  it('opens a new browser for the next piece of work when the last one crashed, instead of failing every pass', async () => {
    const h = harness();
    await h.connection.use(async () => 'one');
    const [crashed] = h.browsers;
    if (crashed) crashed.alive = false;
    let used: unknown;
    await h.connection.use(async (uploader) => void (used = uploader));
    expect(h.counts).toMatchObject({ opened: 2, closed: 1 });
    expect(used).toBe(h.browsers[1]);
    expect(used).not.toBe(crashed);
  });

  it('tries a browser that would not start again only after a backoff that doubles', async () => {
    // The clock is the test's: each wait is checked to the millisecond, however slow the machine.
    vi.useFakeTimers({ now: Date.parse('2026-11-22T10:00:00Z') });
    try {
      const h = harness(undefined, 2);
      await expect(h.connection.use(async () => 'one')).rejects.toThrow(/Failed to launch/);
      // Straight away, and until the first wait (100 ms) is over: not tried, and said plainly.
      await expect(h.connection.use(async () => 'two')).rejects.toThrow(SessionStartError);
      vi.advanceTimersByTime(99);
      await expect(h.connection.use(async () => 'two')).rejects.toThrow(/tried again in/);
      expect(h.counts.opened).toBe(1);
      vi.advanceTimersByTime(1);
      await expect(h.connection.use(async () => 'three')).rejects.toThrow(/Failed to launch/);
      expect(h.counts.opened).toBe(2);
      // The second wait is twice the first.
      vi.advanceTimersByTime(199);
      await expect(h.connection.use(async () => 'four')).rejects.toThrow(/tried again in/);
      expect(h.counts.opened).toBe(2);
      vi.advanceTimersByTime(1);
      expect(await h.connection.use(async () => 'five')).toBe('five');
      expect(h.counts.opened).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs work started together one at a time: a sync and an upload never share the page', async () => {
    const h = harness();
    const order: string[] = [];
    await Promise.all([
      h.connection.use(async () => {
        order.push('sync starts');
        await h.work(60);
        order.push('sync ends');
      }),
      h.connection.use(async () => {
        order.push('upload starts');
        await h.work(10);
        order.push('upload ends');
      }),
      h.connection.keepAlive(0),
    ]);
    expect(h.counts.mostAtOnce).toBe(1);
    expect(order).toEqual(['sync starts', 'sync ends', 'upload starts', 'upload ends']);
  });

  it('waits for a login after TJ asks for one, then starts a fresh browser on the new session', async () => {
    const h = harness();
    await expect(h.connection.use(async () => Promise.reject(new LoginRequiredError('captcha')))).rejects.toThrow(
      LoginRequiredError,
    );
    expect(h.status()).toMatchObject({
      state: 'login-required',
      message: expect.stringMatching(/captcha.*creative-flow login/),
    });
    expect(await h.connection.waitingFor()).toMatch(/captcha/);
    await expect(h.connection.use(async () => 'refused')).rejects.toThrow(PlatformWaitsError);
    expect(h.counts.opened).toBe(1);
    h.saveSession();
    expect(await h.connection.waitingFor()).toBeUndefined();
    expect(h.status()).toBeUndefined();
    await h.connection.use(async () => undefined);
    expect(h.counts.opened).toBe(2);
  });

  it('never tries a refused password again, not even after a restart; other credentials or a login end the wait', async () => {
    const first = harness();
    let attempts = 0;
    const signIn = async (): Promise<never> => {
      attempts += 1;
      throw CredentialsRefusedError.tj('demo');
    };
    await expect(first.connection.use(signIn)).rejects.toThrow(CredentialsRefusedError);
    for (let pass = 0; pass < 5; pass += 1)
      await expect(first.connection.use(signIn)).rejects.toThrow(PlatformWaitsError);
    expect(attempts).toBe(1);
    expect(first.status()).toMatchObject({
      state: 'password-refused',
      credentials: credentialsFingerprint('demo', 'S3cret-pass'),
    });
    expect(JSON.stringify(first.status())).not.toContain('S3cret-pass');

    // The same status seen by a restarted process with the same password, then with a new one.
    const same = new PlatformConnection({
      platform: 'tj',
      open: async () => ({}) as Uploader,
      session: { savedAt: async () => 0 },
      status: { read: async () => first.status(), write: async () => undefined, clear: async () => undefined },
      credentials: credentialsFingerprint('demo', 'S3cret-pass'),
      events: new ActivityBus(),
      log,
    });
    expect(await same.waitingFor()).toMatch(/does not recognize/);
    const fixed = new PlatformConnection({
      platform: 'tj',
      open: async () => ({}) as Uploader,
      session: { savedAt: async () => 0 },
      status: { read: async () => first.status(), write: async () => undefined, clear: async () => undefined },
      credentials: credentialsFingerprint('demo', 'fixed'),
      events: new ActivityBus(),
      log,
    });
    expect(await fixed.waitingFor()).toBeUndefined();
  });
});

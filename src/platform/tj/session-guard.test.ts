import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';
import { LoginRequiredError } from '../uploader.js';
import { SessionGuard, SessionKeepsEndingError } from './session-guard.js';
import { SessionEndedError } from './tj-page.js';

const log = createLogger({ level: 'silent', pretty: false });

/** A guard whose sign-ins are counted, and work that ends the session at the tries `ends` lists, reading a page first where `reads` says. */
function setUp(): { guard: SessionGuard; signIns: () => number } {
  let signIns = 0;
  const guard = new SessionGuard(async () => void (signIns += 1), log);
  return { guard, signIns: () => signIns };
}

function work(
  guard: SessionGuard,
  ends: readonly number[],
  reads: (attempt: number) => boolean,
): { run: () => Promise<string>; tries: () => number } {
  let attempt = 0;
  return {
    tries: () => attempt,
    run: async () => {
      attempt += 1;
      if (reads(attempt)) guard.progressed();
      if (ends.includes(attempt)) throw new SessionEndedError(`ended at try ${attempt}`);
      return `done at try ${attempt}`;
    },
  };
}

describe('SessionGuard', () => {
  it('signs in again and runs the work once more when the session ends under it', async () => {
    const { guard, signIns } = setUp();
    const job = work(guard, [1], () => false);
    await expect(guard.run('a walk', job.run)).resolves.toBe('done at try 2');
    expect([signIns(), guard.signIns]).toEqual([1, 1]);
  });

  it('asks a person when the session a sign-in gave ends again before any progress', async () => {
    const { guard, signIns } = setUp();
    const job = work(guard, [1, 2], () => false);
    await expect(guard.run('a walk', job.run)).rejects.toThrow(LoginRequiredError);
    expect(signIns()).toBe(1);
  });

  it('goes on through sessions that end after progress, up to a bound: then the step is said to keep failing, not a login', async () => {
    const { guard, signIns } = setUp();
    const through = work(guard, [1, 2, 3], () => true);
    await expect(guard.run('a walk', through.run)).resolves.toBe('done at try 4');
    const forever = work(guard, [1, 2, 3, 4, 5, 6], () => true);
    await expect(guard.run('a campaign', forever.run)).rejects.toThrow(SessionKeepsEndingError);
    expect(forever.tries()).toBe(4);
    expect(signIns()).toBe(6);
  });

  it('counts each piece of work apart: a sign-in for an earlier one does not make the next one ask a person', async () => {
    const { guard } = setUp();
    await guard.run('a keep-alive', work(guard, [1], () => false).run);
    await expect(guard.run('an upload', work(guard, [1], () => false).run)).resolves.toBe('done at try 2');
  });
});

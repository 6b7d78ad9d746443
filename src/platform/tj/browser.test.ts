import { describe, expect, it } from 'vitest';
import { machineSandboxFacts, sandboxArgs } from './browser.js';

describe('Chromium sandbox', () => {
  const user = {
    uid: 1000,
    maxUserNamespaces: 63_000,
    unprivilegedUsernsClone: undefined,
    apparmorRestrictsUserns: undefined,
  };

  it('keeps the sandbox for a user on a machine with user namespaces, and drops it only where it cannot start, saying why', () => {
    expect(sandboxArgs(user)).toEqual({ args: [] });
    expect(sandboxArgs({ ...user, uid: 0 })).toEqual({
      args: ['--no-sandbox'],
      reason: expect.stringMatching(/runs as root/),
    });
    for (const closed of [{ maxUserNamespaces: 0 }, { unprivilegedUsernsClone: 0 }, { apparmorRestrictsUserns: 1 }]) {
      expect(sandboxArgs({ ...user, ...closed })).toEqual({
        args: ['--no-sandbox'],
        reason: expect.stringMatching(/user namespaces/),
      });
    }
  });

  it('reads this machine’s facts', async () => {
    const facts = await machineSandboxFacts();
    expect(facts.uid).toBe(process.getuid?.());
    expect(facts.maxUserNamespaces === undefined || Number.isInteger(facts.maxUserNamespaces)).toBe(true);
  });
});

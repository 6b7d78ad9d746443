import { describe, expect, it } from 'vitest';
import { runCli } from './cli-runner.js';
import { tempRoot } from './fixtures.js';

/** What a new user sees of one-shot commands: their result, and no log unless asked. */
describe('a one-shot command', () => {
  it('prints its result alone; its log says only warnings, unless --verbose or LOG_LEVEL asks for more', async () => {
    const root = await tempRoot();
    const quiet = await runCli(['report', '--root', root], { LOG_LEVEL: '' });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/daily_\d{4}-\d{2}-\d{2}\.md$/),
      expect.stringMatching(/\.json$/),
      expect.stringMatching(/\.html$/),
    ]);
    expect(quiet.stderr).toBe('');
    const verbose = await runCli(['report', '--verbose', '--root', root], { LOG_LEVEL: '' });
    expect(verbose.stderr).toMatch(/creative-flow ready/);
  });
});

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { REPO_ROOT, runCli } from '../test/cli-runner.js';
import { tempRoot } from '../test/fixtures.js';

describe('creative-flow setup, from the built CLI', () => {
  it('runs without questions for scripts, and says plainly what is missing', async () => {
    const root = await tempRoot();
    const missing = await runCli(['setup', '--yes', '--skip-check', '--root', root], { TJ_PASSWORD: '' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/TJ_USERNAME is not set\. Give --username and --password/);
    // Not signing in now: the credentials may come later, and the commands printed work from anywhere.
    const later = await runCli(['setup', '--yes', '--skip-login', '--skip-check', '--root', root], { TJ_PASSWORD: '' });
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toContain('TJ_USERNAME and TJ_PASSWORD are not set yet');
    expect(later.stdout).toContain(`cd ${REPO_ROOT} && CREATIVE_FLOW_ROOT=${root} npx pm2 start ecosystem.config.js`);
    expect(later.stdout).toContain(`npx creative-flow dashboard --root ${root}`);
    const done = await runCli(['setup', '--username', 'scripted', '--skip-login', '--skip-check', '--root', root], {
      TJ_PASSWORD: 'from-env',
    });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/✓ machine\.ffmpeg/);
    const config = await loadConfig({ root, env: {} });
    expect([config.tjUsername, config.tjPassword]).toEqual(['scripted', 'from-env']);
  });
});

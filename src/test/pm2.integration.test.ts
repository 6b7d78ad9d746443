import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FAST_ENV, REPO_ROOT, runCli } from './cli-runner.js';
import { makeImage, tempRoot, waitFor } from './fixtures.js';

const run = promisify(execFile);
const PM2 = path.join(REPO_ROOT, 'node_modules', '.bin', 'pm2');

describe('pm2 start ecosystem.config.js', () => {
  let env: NodeJS.ProcessEnv;

  afterAll(async () => {
    if (env) await run(PM2, ['kill'], { env, cwd: REPO_ROOT }).catch(() => undefined);
  });

  it('runs the daemon on the root, and stops it cleanly within kill_timeout', async () => {
    const root = await tempRoot();
    env = { ...process.env, ...FAST_ENV, PM2_HOME: path.join(await tempRoot('cf-pm2-'), '.pm2'), CREATIVE_FLOW_ROOT: root };
    await run(PM2, ['start', 'ecosystem.config.js'], { env, cwd: REPO_ROOT });

    const online = await waitFor(async () => {
      const { stdout } = await run(PM2, ['jlist'], { env, cwd: REPO_ROOT });
      const apps = JSON.parse(stdout) as { name: string; pm2_env: { status: string; kill_timeout: number } }[];
      return apps.find((app) => app.name === 'creative-flow' && app.pm2_env.status === 'online');
    }, 30_000, 'pm2 online');
    expect(online.pm2_env.kill_timeout).toBeGreaterThanOrEqual(20_000);

    const log = path.join(root, 'data', 'logs', 'creative-flow.out.log');
    await waitFor(async () => (await fs.readFile(log, 'utf8').catch(() => '')).includes('Watching inbox/'), 30_000, 'daemon watching');
    await makeImage(path.join(root, 'inbox', 'dropped.png'));
    await waitFor(async () => JSON.parse((await runCli(['status', '--json', '--root', root])).stdout).counts.staged === 1, 30_000, 'staged', 500);

    await run(PM2, ['stop', 'creative-flow'], { env, cwd: REPO_ROOT });
    const text = await fs.readFile(log, 'utf8');
    expect(text).toContain('"msg":"Signal received"');
    expect(text).toContain('"msg":"Stopped"');
  });
});

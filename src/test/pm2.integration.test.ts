import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FAST_ENV, REPO_ROOT, runCli } from './cli-runner.js';
import { freePort, makeImage, tempRoot, waitFor } from './fixtures.js';

const run = promisify(execFile);
const PM2 = path.join(REPO_ROOT, 'node_modules', '.bin', 'pm2');

describe('pm2 start ecosystem.config.js', () => {
  let env: NodeJS.ProcessEnv;

  afterAll(async () => {
    if (env) await run(PM2, ['kill'], { env, cwd: REPO_ROOT }).catch(() => undefined);
  });

  it('runs the daemon on the root; commands ask it to do their jobs; it logs to a rotated file and stops cleanly within kill_timeout', async () => {
    const root = await tempRoot();
    const port = await freePort();
    env = {
      ...process.env,
      ...FAST_ENV,
      DASHBOARD_PORT: String(port),
      PM2_HOME: path.join(await tempRoot('cf-pm2-'), '.pm2'),
      CREATIVE_FLOW_ROOT: root,
    };
    await run(PM2, ['start', 'ecosystem.config.js'], { env, cwd: REPO_ROOT });

    const online = await waitFor(
      async () => {
        const { stdout } = await run(PM2, ['jlist'], { env, cwd: REPO_ROOT });
        const apps = JSON.parse(stdout) as { name: string; pm2_env: { status: string; kill_timeout: number } }[];
        return apps.find((app) => app.name === 'creative-flow' && app.pm2_env.status === 'online');
      },
      30_000,
      'pm2 online',
    );
    expect(online.pm2_env.kill_timeout).toBeGreaterThanOrEqual(20_000);

    // Under pm2 the daemon logs JSON to its own rotated file, not to pm2's ever-growing out file.
    const log = path.join(root, 'data', 'logs', 'current.log');
    await waitFor(
      async () => (await fs.readFile(log, 'utf8').catch(() => '')).includes('Watching inbox/'),
      30_000,
      'daemon watching',
    );
    await makeImage(path.join(root, 'inbox', 'dropped.png'));
    await waitFor(
      async () => JSON.parse((await runCli(['status', '--json', '--root', root])).stdout).counts.staged === 1,
      30_000,
      'staged',
      500,
    );

    // The commands that need the root ask the daemon holding it, and print its result.
    const asked = /the daemon running on this root \(pid \d+\) does it/;
    const status = await runCli(['status', '--json', '--root', root]);
    expect(status.stderr).toMatch(asked);
    const report = await runCli(['report', '--root', root]);
    expect([report.code, report.stderr]).toEqual([0, expect.stringMatching(asked)]);
    expect(report.stdout).toMatch(/tracking\/reports\/daily_\d{4}-\d{2}-\d{2}\.html/);
    const upload = await runCli(['upload', '--root', root]);
    expect([upload.code, upload.stderr]).toEqual([0, expect.stringMatching(asked)]);
    const live = await runCli(['upload', '--live', '--root', root]);
    expect([live.code, live.stderr]).toEqual([
      2,
      expect.stringMatching(/runs as a dry run, so it will not send anything for --live/),
    ]);
    await fs.mkdir(path.join(root, 'tracking', 'Upload_CSV'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'tracking', 'Upload_CSV', 'a.csv'),
      '"Ad Name","Target URL","Video Creative ID","Thumbnail Creative ID","Headline","Brand Name"\n"A_ID-1","https://x.test","11","12","H","B"\n',
    );
    await fs.writeFile(
      path.join(root, 'tracking', 'campaign_mapping.csv'),
      'campaign_id,csv_filename,campaign_name,enabled\n1001,a.csv,One,true\n',
    );
    const campaigns = await runCli(['campaigns', 'create', '--root', root]);
    expect([campaigns.code, campaigns.stderr]).toEqual([0, expect.stringMatching(asked)]);
    expect(campaigns.stdout).toMatch(
      /→ 1001 One \(tracking\/Upload_CSV\/a\.csv\): would-run: 1 ads to create\nDry run: 1 campaign\(s\) would run/,
    );
    expect(await fs.readFile(log, 'utf8')).toMatch(/"job":"report","msg":"A job was asked for through the local API"/);
    // pm2's own file (what `pm2 logs` shows) says where the log is, readably, and holds no JSON.
    const pm2Out = await fs.readFile(path.join(root, 'data', 'logs', 'creative-flow.out.log'), 'utf8').catch(() => '');
    expect(pm2Out).not.toContain('"level"');
    expect(pm2Out).toMatch(/creative-flow logs everything to .*data\/logs\/current\.log; read it with: tail -F/);

    const stopping = Date.now();
    await run(PM2, ['stop', 'creative-flow'], { env, cwd: REPO_ROOT });
    // It exits by itself once stopped: pm2 never has to kill it.
    expect(Date.now() - stopping).toBeLessThan(3_000);
    expect(await fs.readFile(path.join(env.PM2_HOME ?? '', 'pm2.log'), 'utf8')).not.toMatch(/SIGKILL/);
    const text = await fs.readFile(log, 'utf8');
    expect(text).toContain('"msg":"Signal received"');
    expect(text).toContain('"msg":"Stopped"');
    // With the daemon gone, a command does the job itself.
    const alone = await runCli(['status', '--json', '--root', root]);
    expect(alone.stderr).not.toMatch(asked);
    expect(JSON.parse(alone.stdout).counts.staged).toBe(1);
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMedia } from '../media/ffmpeg-binaries.js';
import { DEFAULT_SIMULATOR_OPTIONS } from '../simulators/tj/options.js';
import { startSimulator, type RunningSimulator } from '../simulators/tj/server.js';
import { runCli } from './cli-runner.js';
import { freePort, makeImage, tempRoot } from './fixtures.js';

describe('notifications to a webhook (real CLI, local receiver)', () => {
  const received: { text: string; content: string }[] = [];
  let server: http.Server;
  let hook: string;
  let sim: RunningSimulator;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as { text: string; content: string });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret`;
    // A captcha stands in the way: the upload needs a person.
    sim = await startSimulator({ ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: false }, openMedia());
  });
  afterAll(async () => {
    await sim.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('tells the channel when TJ needs a person to sign in, and sends the daily report with its counts', async () => {
    const root = await tempRoot();
    await makeImage(path.join(root, 'inbox', 'Banners', 'banner.png'), { seed: 7 });
    const env = {
      NOTIFY_WEBHOOK_URL: hook,
      TJ_LOGIN_URL: `${sim.url}/sign-in`,
      TJ_APP_URL: sim.url,
      TJ_USERNAME: 'demo',
      TJ_PASSWORD: 'demo-password',
      DRY_RUN: 'false',
    };
    // The first sign-in meets a captcha: the file waits, said plainly, and the run still ends well.
    const run = await runCli(['process', '--once', '--root', root], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Work on TJ paused: Signed out of the platform/);
    expect(received.map((body) => body.text)).toEqual([
      expect.stringMatching(/TJ needs a person to sign in .*Run `creative-flow login`/),
    ]);
    // Discord's copy is escaped its own way (no ping, no link from a value), and says the same.
    expect(received[0]?.content).toMatch(/TJ needs a person to sign in .*Run `creative-flow login`/);
    expect(JSON.stringify(received)).not.toContain('demo-password');

    expect((await runCli(['report', '--root', root], env)).code).toBe(0);
    expect(received.at(-1)?.text).toMatch(/daily report for \d{4}-\d{2}-\d{2}: received 1, staged 1, uploaded 0/);
  });

  it('never holds up a command when the receiver is down', async () => {
    const root = await tempRoot();
    const started = Date.now();
    const result = await runCli(['report', '--root', root], {
      NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${await freePort()}/hook`,
    });
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

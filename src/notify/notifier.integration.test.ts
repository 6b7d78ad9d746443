import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityBus } from '../core/events.js';
import { rootPath } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import { notifyOnEvents } from './notices.js';
import { Notifier, type NoticeBody } from './notifier.js';
import { postJson } from './webhook.js';

const log = createLogger({ level: 'silent', pretty: false });

/** A webhook receiver on loopback: it keeps what it is sent, and can be told to fail. */
async function receiver(
  port = 0,
): Promise<{ url: string; port: number; bodies: Record<string, unknown>[]; failNext: number; close(): Promise<void> }> {
  const state = { bodies: [] as Record<string, unknown>[], failNext: 0 };
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      if (state.failNext > 0) {
        state.failNext -= 1;
        return void res.writeHead(503).end();
      }
      state.bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${bound}/hook/secret-key`,
    port: bound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((each) => each.close()));
});

const quick = { dedupeMs: 60_000, attempts: 4, backoffMs: 50 };

describe('webhook notifications', () => {
  it('posts the text as Slack, Teams (text) and Discord (content) take it, and never twice in a short window', async () => {
    const hook = await receiver();
    open.push(hook);
    const notifier = new Notifier((body) => postJson(hook.url, body, 2_000), log, quick);
    notifier.notify({ key: 'login-required', text: 'TJ needs a person' });
    notifier.notify({ key: 'login-required', text: 'TJ needs a person' });
    notifier.notify({ key: 'report:2026-11-22', text: 'daily report' });
    await notifier.flush(5_000);
    expect(hook.bodies).toEqual([
      { text: 'TJ needs a person', content: 'TJ needs a person', allowed_mentions: { parse: [] } },
      { text: 'daily report', content: 'daily report', allowed_mentions: { parse: [] } },
    ]);
  });

  it('retries with backoff while the receiver fails, and delivers once it answers', async () => {
    const hook = await receiver();
    open.push(hook);
    hook.failNext = 2;
    const notifier = new Notifier((body) => postJson(hook.url, body, 2_000), log, quick);
    notifier.notify({ key: 'a', text: 'after two failures' });
    await notifier.flush(5_000);
    expect(hook.bodies).toEqual([
      { text: 'after two failures', content: 'after two failures', allowed_mentions: { parse: [] } },
    ]);
  });

  it('never holds up the caller, and gives up quietly on a receiver that is down, without naming the secret URL', async () => {
    const down = await receiver();
    await down.close();
    const lines: string[] = [];
    const notifier = new Notifier(
      (body) => postJson(down.url, body, 1_000),
      createLogger({ level: 'warn', pretty: false, destination: { write: (line: string) => void lines.push(line) } }),
      quick,
    );
    // notify returns before any byte is sent: it hands the notice over and returns nothing to wait on.
    expect(notifier.notify({ key: 'b', text: 'nobody listens' })).toBeUndefined();
    expect(lines).toEqual([]);
    await notifier.flush(5_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Could not send a notification: the webhook at 127\.0\.0\.1:\d+ could not be reached/);
    expect(lines[0]).toMatch(/"attempts":4/);
    expect(lines[0]).not.toContain('secret-key');
  });

  it('says what people need to hear: a login, a refused password, a file failed for good, a creative TJ rejected, the daily report', async () => {
    const sent: string[] = [];
    const events = new ActivityBus();
    const notifier = new Notifier(async (body) => void sent.push(body.text), log, quick);
    notifyOnEvents(events, notifier, 'host:/srv/creatives');
    events.emit('platform', 'tj', {
      state: 'login-required',
      since: '2026-11-22T10:00:00Z',
      message: 'the captcha needs a person',
    });
    events.emit('platform', 'tj', {
      state: 'password-refused',
      since: '2026-11-22T10:00:00Z',
      message: 'refused',
      credentials: 'f00',
    });
    const base = {
      key: 'c1',
      attempts: 0,
      times: {},
      source: { path: rootPath('inbox/broken.mp4'), size: 1, mtimeMs: 1 },
    };
    events.emit('creative', { ...base, state: 'failed', reason: 'ffmpeg crashed 3 times' }, 'failed');
    events.emit(
      'creative',
      {
        ...base,
        key: 'c2',
        state: 'rejected',
        reason: 'TJ refused x.png: content guidelines',
        outputs: [
          {
            role: 'creative',
            path: rootPath('uploaded/Image/x.png'),
            bytes: 1,
            width: 1,
            height: 1,
            format: 'png',
            converted: false,
            uploads: { tj: { status: 'rejected', message: 'content guidelines', batch: 1, at: '' } },
          },
        ],
      },
      'rejected',
    );
    events.emit('creative', { ...base, key: 'c3', state: 'rejected', reason: 'not a video' }, 'rejected');
    events.emit('report', { date: '2026-11-22', counts: { received: 3, uploaded: 2 }, files: [] });
    // A pass that fails is a blip until the third in a row.
    for (const inARow of [1, 2, 3]) events.emit('passFailed', inARow, 'the browser has been closed');
    await notifier.flush(1_000);
    expect(sent).toEqual([
      expect.stringMatching(
        /^creative-flow \(host:\/srv\/creatives\): TJ needs a person to sign in .*creative-flow login/,
      ),
      expect.stringMatching(/TJ refused the password/),
      expect.stringMatching(/broken\.mp4 failed for good: ffmpeg crashed 3 times/),
      expect.stringMatching(/TJ rejected x\.png: content guidelines/),
      expect.stringMatching(/daily report for 2026-11-22: received 3, uploaded 2/),
      expect.stringMatching(/upload passes keep failing \(3 in a row\); the last said: the browser has been closed/),
    ]);
    expect(sent.join()).not.toMatch(/f00/);
  });

  it("escapes names and platforms' words for Slack and Teams (text) and Discord (content): no ping, no link of their own, no credential", async () => {
    const sent: NoticeBody[] = [];
    const events = new ActivityBus();
    const notifier = new Notifier(async (body) => void sent.push(body), log, quick);
    notifyOnEvents(events, notifier, 'host:/srv/creatives');
    // A file name cannot hold a slash: the links point at a bare host.
    const hostile = '@everyone <!channel> <@123> [trusted](evil.test) <https:evil.test|trusted>.mp4';
    events.emit(
      'creative',
      {
        key: 'c1',
        attempts: 0,
        times: {},
        source: { path: rootPath(`inbox/${hostile}`), size: 1, mtimeMs: 1 },
        state: 'failed',
        reason: 'GET https://cdn.test/a?access_token=tok-secret said *no*\n# heading',
      },
      'failed',
    );
    await notifier.flush(1_000);
    const [body] = sent;
    expect(body?.allowed_mentions).toEqual({ parse: [] });
    const zwsp = '\u200b';
    expect(body?.text).toBe(
      `creative-flow (host:/srv/creatives): @${zwsp}everyone &lt;!channel&gt; &lt;@123&gt; [trusted]${zwsp}(evil.test) &lt;https:evil.test|trusted&gt;.mp4 failed for good: GET https://cdn.test/a?access_token=[redacted] said *no* # heading. \`creative-flow process --once\` or the dashboard's "Retry failed" tries it again.`,
    );
    expect(body?.content).toBe(
      `creative-flow (host:/srv/creatives): @${zwsp}everyone <${zwsp}!channel> <${zwsp}@123> \\[trusted\\](evil.test) <${zwsp}https:evil.test\\|trusted>.mp4 failed for good: GET https://cdn.test/a?access\\_token=\\[redacted\\] said \\*no\\* # heading. \`creative-flow process --once\` or the dashboard's "Retry failed" tries it again.`,
    );
  });
});

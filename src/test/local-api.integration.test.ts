import fs from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { askDaemon, DaemonJobError } from '../api/client.js';
import { runningDaemon } from '../api/daemon-file.js';
import { openApp, type App } from '../app.js';
import { loadConfig } from '../config/config.js';
import type { ListedCard } from '../core/platform.js';
import { createLogger } from '../core/logger.js';
import { openDashboard } from '../dashboard/dashboard.js';
import { runDaemon } from '../daemon.js';
import { Jobs, type Services } from '../jobs/jobs.js';
import { PlatformConnection } from '../platform/connection.js';
import { SessionStatusFile } from '../platform/session-status.js';
import { StorageRepository } from '../store/storage.repository.js';
import { FakePlatform } from './fake-platform.js';
import { freePort, tempRoot, waitFor, within } from './fixtures.js';
import { PLATFORMS } from '../platform/registry.js';

const log = createLogger({ level: 'silent', pretty: false });
const opened: App[] = [];

/** The product on a new root, in this process, its dashboard on a free port. */
async function appOnNewRoot(env: Record<string, string> = {}): Promise<App> {
  const config = await loadConfig({
    root: await tempRoot(),
    env: { DASHBOARD_PORT: String(await freePort()), STABILITY_MS: '50', ...env },
  });
  const app = await openApp(config, log);
  opened.push(app);
  return app;
}

async function tokenOf(app: App): Promise<string> {
  return (await fs.readFile(app.config.layout.dashboardTokenFile, 'utf8')).trim();
}

afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});

describe("the dashboard's cookie", () => {
  it('holds a secret of its own, named after its port, that opens the reads and never a job, on no other port', async () => {
    const app = await appOnNewRoot();
    // The same root's token on a second port: only the port tells the two cookies apart.
    const first = await openDashboard(app, () => []);
    const token = await tokenOf(app);
    const second = await openDashboard(
      { ...app, config: { ...app.config, dashboardPort: await freePort() } },
      () => [],
    );
    try {
      const swap = await fetch(first.url);
      expect(swap.status).toBe(200);
      const [pair = '', ...attributes] = (swap.headers.get('set-cookie') ?? '').split(/;\s*/);
      const [name = '', value = ''] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      expect(name).toBe(`cf_dash_${first.port}`);
      expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
      expect(value.length).toBeGreaterThanOrEqual(32);
      expect(value).not.toContain(token);
      const cookie = `${name}=${value}`;
      const base = `http://127.0.0.1:${first.port}`;

      for (const route of ['/', '/api/state', '/assets/dashboard.js'])
        expect((await fetch(`${base}${route}`, { headers: { cookie } })).status, route).toBe(200);
      // The page the cookie opens does not hand over the token: whoever holds the cookie could read it there.
      expect(await (await fetch(`${base}/`, { headers: { cookie } })).text()).not.toContain(token);
      const post = (job: string, headers: Record<string, string>): Promise<Response> =>
        fetch(`${base}/api/jobs/${job}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: '{}',
        });
      for (const job of ['upload', 'refresh-library', 'status'])
        expect((await post(job, { cookie })).status, job).toBe(401);
      expect((await post('status', { cookie, authorization: `Bearer ${token}` })).status).toBe(200);

      const secondBase = `http://127.0.0.1:${second.port}`;
      expect((await fetch(`${secondBase}/api/state`, { headers: { cookie } })).status).toBe(401);
      expect(
        (await fetch(`${secondBase}/api/state`, { headers: { cookie: `cf_dash_${second.port}=${value}` } })).status,
      ).toBe(401);
      const secondCookie = (await fetch(second.url)).headers.get('set-cookie') ?? '';
      expect(secondCookie).toMatch(new RegExp(`^cf_dash_${second.port}=`));
      expect(secondCookie).not.toContain(value);
      // A browser sends both cookies to both ports: each dashboard reads its own.
      expect(
        (await fetch(`${base}/api/state`, { headers: { cookie: `${secondCookie.split(';')[0]}; ${cookie}` } })).status,
      ).toBe(200);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('is given for the token only on the page that swaps it: the token in any other address opens nothing', async () => {
    const app = await appOnNewRoot();
    const dashboard = await openDashboard(app, () => []);
    const token = await tokenOf(app);
    try {
      const base = `http://127.0.0.1:${dashboard.port}`;
      for (const route of ['/api/state', '/events', '/assets/dashboard.js', '/report', '/screenshots/x.png']) {
        const answer = await fetch(`${base}${route}?token=${token}`);
        expect(answer.status, route).toBe(401);
        expect(answer.headers.get('set-cookie'), route).toBeNull();
      }
      expect(
        (
          await fetch(`${base}/api/jobs/status?token=${token}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          })
        ).status,
      ).toBe(401);
      expect((await fetch(`${base}/?token=x${token.slice(1)}`)).status).toBe(401);
      const page = await fetch(`${base}/?token=${token}`);
      expect([page.status, page.headers.get('referrer-policy'), page.headers.get('cache-control')]).toEqual([
        200,
        'no-referrer',
        'no-store',
      ]);
    } finally {
      await dashboard.close();
    }
  });
});

/** A platform whose library walk goes on until it is told to stop, as a walk of a large library does. */
class EndlessLibrary extends FakePlatform {
  readonly said: string[];
  sawAbort = false;
  private begun: () => void = () => undefined;
  readonly walking = new Promise<void>((resolve) => (this.begun = resolve));

  constructor(said: string[]) {
    super();
    this.said = said;
  }

  override async listAll(_maxPages?: number, _olderThan?: string, signal?: AbortSignal): Promise<ListedCard[]> {
    this.begun();
    // Without a signal this walk never ends: the stop could only wait for it.
    await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    this.sawAbort = true;
    this.said.push('the walk stopped');
    // The pages read so far: a short list, which must not become the library.
    return [
      {
        creativeId: '1032600001',
        name: 'only-the-first-page',
        dimensions: '640x360',
        fileType: '.png',
        reviewStatus: 'approved',
        creativeType: 'static-banner',
      },
    ];
  }
}

describe('stopping the daemon with a job the API started', () => {
  it('tells the job, waits for it, answers the command, then closes the server, well within the grace period', async () => {
    const app = await appOnNewRoot({ SHUTDOWN_GRACE_MS: '30000' });
    const said: string[] = [];
    const platform = new EndlessLibrary(said);
    const storage = new StorageRepository();
    const { layout } = app.config;
    const connection = new PlatformConnection({
      platform: 'tj',
      open: async () => platform,
      session: { savedAt: async () => 0 },
      status: new SessionStatusFile(PLATFORMS.tj.statusFile(layout), storage),
      credentials: '',
      events: app.events,
      log,
    });
    const tj = app.services.platforms.tj;
    if (!tj) throw new Error('The app built no TJ services');
    const services: Services = { ...app.services, platforms: { ...app.services.platforms, tj: { ...tj, connection } } };
    const stop = new AbortController();
    const daemon = runDaemon({ ...app, services, jobs: new Jobs(services, app.config, log) }, stop.signal).then(
      () => void said.push('the daemon stopped'),
    );

    const found = await waitFor(() => runningDaemon(layout, storage), 30_000, 'the local API');
    const asked = askDaemon(found, await tokenOf(app), 'refresh-library', {}).then(
      () => said.push('the command got a result'),
      (error: unknown) => {
        said.push('the command got its answer');
        return error;
      },
    );
    await within(platform.walking, 30_000, 'the library walk');
    const stopping = Date.now();
    stop.abort();
    await within(daemon, 10_000, 'the stop');
    // Told, not waited out: the grace period is 30 s.
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(platform.sawAbort).toBe(true);
    const answer = await asked;
    expect(answer).toBeInstanceOf(DaemonJobError);
    expect(answer).toMatchObject({
      expected: true,
      message: expect.stringMatching(/stopped before the refresh-library job finished/),
    });
    // The server answered once the job had stopped (a plain 503, not a dropped connection), and closed after.
    expect(said[0]).toBe('the walk stopped');
    expect(said.slice(1).sort()).toEqual(['the command got its answer', 'the daemon stopped']);
    // The walk cut short changed nothing: the library cache is not a page of it.
    expect(app.library.get('only-the-first-page')).toBeUndefined();
  });
});

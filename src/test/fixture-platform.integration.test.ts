import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../app.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../core/logger.js';
import { localDate } from '../core/dates.js';
import { openDashboard } from '../dashboard/dashboard.js';
import type { RunningDashboard } from '../dashboard/server.js';
import { readStatus } from '../jobs/standalone.js';
import { registerPlatform } from '../platform/registry.js';
import { formatStatus } from '../report/status-report.js';
import { fixturePlatform, fixtureSessions } from './fixture-platform/index.js';
import { makeImage, tempRoot } from './fixtures.js';

/**
 * A third platform added as a folder of its own (`test/fixture-platform/`), registered, and
 * nothing else changed: it is validated in `PLATFORMS`, uploaded to by the upload pass, and shown
 * by `status`, the daily report and the dashboard, like the two built in.
 */
describe('a third platform, added as a folder of its own', () => {
  let root: string;
  let app: App;
  let dashboard: RunningDashboard | undefined;
  const drops = ['banner-a.png', 'banner-b.png'];

  beforeAll(async () => {
    registerPlatform(fixturePlatform);
    root = await tempRoot();
    await fs.writeFile(path.join(root, '.env'), 'PLATFORMS=fixture\nDRY_RUN=false\nFIXTURE_TOKEN=fixture-secret\n');
    await fs.mkdir(path.join(root, 'inbox'), { recursive: true });
    for (const [seed, name] of drops.entries()) await makeImage(path.join(root, 'inbox', name), { seed });
    const config = await loadConfig({ root, env: { STABILITY_MS: '50', INVENTORY_DEBOUNCE_MS: '0' } });
    expect(config.platforms).toEqual(['fixture']);
    app = await openApp(config, createLogger({ level: 'silent', pretty: false }));
    await app.jobs.processOnce();
  });

  afterAll(async () => {
    await dashboard?.close();
    await app.close();
  });

  it('is refused in PLATFORMS by a root that has not registered it, with the registered ones named', async () => {
    const refused = await loadConfig({ root, env: { PLATFORMS: 'tj,nowhere' } }).catch((error: unknown) => error);
    expect(String(refused)).toMatch(/PLATFORMS.*must list platforms from tj, exoclick, fixture/);
  });

  it('gets every file once from the upload pass, each recorded with the id the platform gave it', async () => {
    const sent = new Map<string, number>();
    for (const session of fixtureSessions)
      for (const [name, count] of session.requests) sent.set(name, (sent.get(name) ?? 0) + count);
    expect([...sent.values()]).toEqual([1, 1]);
    const records: { uploads: Record<string, { status?: string; creativeId?: string }> | undefined }[] = [];
    await app.services.creatives.forEachSegment(
      (segment) =>
        void records.push(
          ...segment.flatMap((record) => (record.outputs ?? []).map((output) => ({ uploads: output.uploads }))),
        ),
    );
    const uploads = records.flatMap(({ uploads }) => (uploads?.fixture ? [uploads.fixture] : []));
    expect(uploads).toHaveLength(2);
    for (const upload of uploads) expect(upload).toMatchObject({ status: 'uploaded', creativeId: expect.any(String) });
    expect(new Set(uploads.map((upload) => upload.creativeId)).size).toBe(2);
    expect(records.every(({ uploads }) => uploads?.tj === undefined && uploads?.exoclick === undefined)).toBe(true);
  });

  it('is in `status`, by its name, with the creatives on it', async () => {
    const status = formatStatus(await readStatus(app.config));
    expect(status).toMatch(/^Fixture: 2 creatives on Fixture$/m);
    expect(status).not.toMatch(/^TJ:|^ExoClick:/m);
  });

  it('is in the daily report: what was sent to it, and why it waits once it refuses its token', async () => {
    const date = localDate();
    await fs.mkdir(app.config.layout.sessionDir, { recursive: true });
    await fs.writeFile(
      fixturePlatform.statusFile(app.config.layout),
      JSON.stringify({ state: 'password-refused', since: new Date().toISOString(), message: 'the token was refused' }),
    );
    const files = await app.jobs.dailyReport(date);
    const markdown = await fs.readFile(files.find((file) => file.endsWith('.md')) ?? '', 'utf8');
    expect(markdown).toMatch(/Fixture/);
    expect(markdown).toMatch(/Uploads to Fixture wait \(fixture token refused since/);
    const json = JSON.parse(await fs.readFile(files.find((file) => file.endsWith('.json')) ?? '', 'utf8')) as {
      sentTo: Record<string, unknown>;
      creatives: { ids: Record<string, string[]> }[];
    };
    expect(Object.keys(json.sentTo)).toEqual(['Fixture']);
    // Each creative card carries the ids the fixture platform gave it, under its name.
    expect(json.creatives.map((creative) => Object.keys(creative.ids))).toEqual([['Fixture'], ['Fixture']]);
    const html = await fs.readFile(files.find((file) => file.endsWith('.html')) ?? '', 'utf8');
    expect(html).toMatch(/<div>Fixture \d+<\/div>/);
  });

  it('is on the dashboard, with its session', async () => {
    dashboard = await openDashboard(app, () => []);
    // The address with its token opens the page and sets the cookie the page's own requests carry.
    const opened = await fetch(dashboard.url, { redirect: 'manual' });
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const answer = await fetch(`http://127.0.0.1:${dashboard.port}/api/state`, { headers: { cookie } });
    const state = (await answer.json()) as {
      session?: unknown;
      platforms: { id: string; name: string; state: string; message: string }[];
    };
    // No TJ on this root: no TJ session line either.
    expect(state.session).toBeUndefined();
    expect(state.platforms).toEqual([
      expect.objectContaining({
        id: 'fixture',
        name: 'Fixture',
        state: 'password-refused',
        message: expect.stringMatching(/^Uploads to Fixture wait/),
      }),
    ]);
  });
});

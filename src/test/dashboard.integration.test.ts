import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../platform/tj/browser.js';
import { REPO_ROOT, runCli, startDaemon, type Daemon } from './cli-runner.js';
import { freePort, makeVideo, tempRoot, waitFor } from './fixtures.js';
import { readInventory } from './harness.js';

/** What the page's own state says: how many live updates it drew, and the states its progress table showed. */
interface PageWatch {
  __cfUpdates?: number;
  __cfMarker?: string;
  __cfSeen?: string[];
}

describe('the dashboard, served by a running daemon (headless Chromium)', () => {
  let root: string;
  let port: number;
  let daemon: Daemon;
  let url: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    root = await tempRoot();
    port = await freePort();
    // One file at a time: the others wait their turn, so their steps are on screen long enough to see.
    daemon = startDaemon(root, { DASHBOARD_PORT: String(port), CONCURRENCY: '1', STABILITY_MS: '200' });
    await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
    url = (await runCli(['dashboard', '--root', root])).stdout.trim();
    browser = await launchBrowser({ headless: true, chromiumPath: undefined });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    daemon?.child.kill('SIGTERM');
    await daemon?.exited;
  });

  it('serves nothing without the token, nothing to another Host, and no job to a POST whose token is only a cookie', async () => {
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[\\w-]{32}$`));
    const token = new URL(url).searchParams.get('token') ?? '';
    const base = `http://127.0.0.1:${port}`;
    for (const route of ['/', '/api/state', '/events', '/assets/dashboard.js', '/report', '/screenshots/x.png'])
      expect((await fetch(`${base}${route}`)).status, route).toBe(401);
    expect((await fetch(`${base}/?token=wrong-${token.slice(6)}`)).status).toBe(401);
    expect(
      (await fetch(`${base}/api/jobs/report`, { method: 'POST', headers: { cookie: `cf_dash_${port}=${token}` } }))
        .status,
    ).toBe(401);
    expect((await fetch(`${base}/api/jobs/report?token=${token}`, { method: 'POST' })).status).toBe(401);
    // DNS rebinding: a name that resolves here, but is not this address.
    const rebound = await new Promise<number>((resolve) => {
      void import('node:http').then(({ request }) =>
        request(
          { host: '127.0.0.1', port, path: `/?token=${token}`, headers: { host: `attacker.example:${port}` } },
          (response) => resolve(response.statusCode ?? 0),
        ).end(),
      );
    });
    expect(rebound).toBe(421);
    const home = await fetch(url);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self';/);
    expect(await fs.stat(path.join(root, 'data', 'dashboard.token')).then((stat) => stat.mode & 0o777)).toBe(0o600);
  });

  it('shows dropped files moving through their steps on the open page, with no reload', async () => {
    await page.goto(url);
    await page.waitForFunction(() => ((globalThis as PageWatch).__cfUpdates ?? 0) > 0);
    expect(page.url()).not.toContain('token=');
    await page.evaluate(() => {
      const watch = globalThis as unknown as PageWatch & {
        MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
        document: {
          querySelector(s: string): unknown;
          querySelectorAll(s: string): ArrayLike<{ getAttribute(name: string): string | null }>;
        };
      };
      watch.__cfMarker = 'the same page';
      watch.__cfSeen = [];
      const seen = (): void => {
        for (const row of Array.from(watch.document.querySelectorAll('#progress tr[data-state]')))
          watch.__cfSeen?.push(row.getAttribute('data-state') ?? '');
      };
      new watch.MutationObserver(seen).observe(watch.document.querySelector('#progress'), {
        childList: true,
        subtree: true,
      });
    });
    // Made elsewhere and moved in, as a file manager drops them: the page is under test here, not a slow writer.
    const made = await tempRoot();
    for (const n of [1, 2, 3])
      await fs.rename(
        await makeVideo(path.join(made, `live ${n}.mp4`), { seconds: 6, width: 1280, height: 720, seed: n }),
        path.join(root, 'inbox', `live ${n}.mp4`),
      );
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }
        ).document.querySelectorAll('#creatives .state-staged').length === 3,
      undefined,
      { timeout: 90_000 },
    );
    const watch = await page.evaluate(() => {
      const g = globalThis as unknown as PageWatch & {
        performance: { getEntriesByType(type: string): ArrayLike<unknown> };
      };
      return {
        marker: g.__cfMarker,
        seen: [...new Set(g.__cfSeen)],
        navigations: g.performance.getEntriesByType('navigation').length,
        updates: g.__cfUpdates ?? 0,
      };
    });
    expect(watch.marker).toBe('the same page');
    expect(watch.navigations).toBe(1);
    expect(watch.seen.length).toBeGreaterThanOrEqual(2);
    expect(watch.seen.every((state) => ['discovered', 'probed', 'named', 'converted'].includes(state))).toBe(true);
    expect(watch.updates).toBeGreaterThan(3);
    expect(await page.locator('#counts').innerText()).toMatch(/3\s+staged/);
    await expect.poll(() => page.locator('#progress tbody').innerText()).toBe('Nothing in progress');
  });

  it('runs an action as a POST with the token, and shows its outcome, also after a reload (the page opened by its cookie alone)', async () => {
    await page.reload();
    expect(page.url()).toBe(`http://127.0.0.1:${port}/`);
    await page.getByRole('button', { name: 'Write the report now' }).click();
    await expect
      .poll(() => page.locator('#action-result').innerText(), { timeout: 30_000 })
      .toBe('Write the report now: done');
    expect(
      (await fs.readdir(path.join(root, 'tracking', 'reports'))).filter((name) => name.endsWith('.html')),
    ).toHaveLength(1);
    await expect.poll(() => page.locator('#today a').count()).toBe(1);
    // The report page may run no script at all.
    const report = await fetch(`http://127.0.0.1:${port}/report`, {
      headers: { authorization: `Bearer ${new URL(url).searchParams.get('token') ?? ''}` },
    });
    expect([report.status, report.headers.get('content-security-policy')]).toEqual([
      200,
      expect.stringMatching(/^default-src 'none'; style-src 'unsafe-inline'; img-src data:/),
    ]);
  });

  it("looks right: a screenshot shows the chart's bars and today's thumbnails", async () => {
    await page.locator('#creatives img').first().waitFor();
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as {
            document: { querySelectorAll(s: string): ArrayLike<{ complete: boolean; naturalWidth: number }> };
          }
        ).document.querySelectorAll('#creatives img').length === 3,
    );
    const chart = await sharp(await page.locator('#chart').screenshot()).stats();
    // Drawn, not blank: axes, labels and bars spread every channel; a thumbnail is a picture, not a grey box.
    const thumbnail = await sharp(await page.locator('#creatives img').first().screenshot()).stats();
    expect(chart.channels.map((channel) => channel.max - channel.min).every((range) => range > 100)).toBe(true);
    expect(thumbnail.entropy).toBeGreaterThan(2);
    const full = await page.screenshot({ fullPage: true });
    const { width, height } = await sharp(full).metadata();
    expect([width, (height ?? 0) > 900]).toEqual([1400, true]);
    // `UPDATE_SCREENSHOT=1 npm test` refreshes the README's picture from this page.
    if (process.env.UPDATE_SCREENSHOT === '1')
      await fs.writeFile(path.join(REPO_ROOT, 'src', 'dashboard', 'dashboard.png'), full);
  });

  it('stops in under 2 s with the page still open on its event stream, the inventory written and the root unlocked', async () => {
    // The page above keeps /events open, as a person's tab would.
    await page.waitForFunction(() => ((globalThis as PageWatch).__cfUpdates ?? 0) > 0);
    const started = Date.now();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(daemon.output()).toContain('Stopped');
    await expect(fs.stat(path.join(root, 'data', 'creative-flow.lock'))).rejects.toThrow();
    // Three native pairs, a row each for the video, the thumbnail and the original: all written before the exit.
    expect((await readInventory(root)).map((row) => row.state)).toEqual(Array(9).fill('staged'));
  });
});

import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../browser.js';
import { openMedia } from '../../../media/ffmpeg-binaries.js';
import { EXAMPLE_LIBRARY_CSV, makeImage, makeNoiseVideo, makeVideo, tempRoot } from '../../../test/fixtures.js';
import { SimLibrary } from './library.js';
import { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from './options.js';
import { startSimulator, type RunningSimulator } from './server.js';

const media = openMedia();


async function start(overrides: Partial<SimulatorOptions> = {}, library?: SimLibrary): Promise<RunningSimulator> {
  return startSimulator({ ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true, ...overrides }, media, library);
}

async function signIn(sim: RunningSimulator): Promise<string> {
  const response = await fetch(`${sim.url}/sign-in`, { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo-password' }), redirect: 'manual' });
  expect(response.status).toBe(302);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function upload(sim: RunningSimulator, session: string, file: string, fields: Record<string, string>): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', new Blob([await fs.readFile(file)]), path.basename(file));
  return fetch(`${sim.url}/media-library/upload`, { method: 'POST', body: form, headers: { cookie: session } });
}

async function state(sim: RunningSimulator): Promise<{ id: string; name: string; sha256: string; tab: string; reviewStatus: string }[]> {
  return ((await (await fetch(`${sim.url}/_sim/state`)).json()) as { creatives: never[] }).creatives;
}

describe('TJ simulator over HTTP', () => {
  let sim: RunningSimulator;
  let dir: string;
  beforeAll(async () => {
    dir = await tempRoot();
    const library = new SimLibrary();
    expect(library.seedFromCsv(await fs.readFile(EXAMPLE_LIBRARY_CSV, 'utf8'))).toBe(746);
    sim = await start({}, library);
  });
  afterAll(() => sim.close());

  it('serves the app shell, not a redirect, for a dead session', async () => {
    const page = await fetch(`${sim.url}/media-library`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<h1>We missed you<\/h1>[\s\S]*<form action="\/login"/);
  });

  it('lists the seeded library 12 cards a page, newest first, with a disabled Next on the last page', async () => {
    const session = await signIn(sim);
    const first = await (await fetch(`${sim.url}/media-library?tab=native`, { headers: { cookie: session } })).text();
    expect(first.match(/class="creativeContainer"/g)).toHaveLength(12);
    const seeded = await state(sim);
    const newestNative = seeded.find((creative) => creative.tab === 'native');
    expect(first.indexOf(`data-id="${newestNative?.id}"`)).toBe(first.indexOf('data-id="'));
    expect(first).toMatch(/<li class="page-item next">/);
    const pages = Math.ceil(seeded.filter((creative) => creative.tab === 'native').length / 12);
    const last = await (await fetch(`${sim.url}/media-library?tab=native&page=${pages}`, { headers: { cookie: session } })).text();
    expect(last).toMatch(/<li class="page-item next disabled">/);
  });

  it('keeps what it receives, and refuses a known name silently', async () => {
    const session = await signIn(sim);
    const video = await makeVideo(path.join(dir, 'VID_test_ID-00000001-VID.mp4'), { seconds: 2 });
    expect(await (await upload(sim, session, video, { tab: 'native', native_type: '1' })).json()).toEqual({ ok: true });
    const kept = (await state(sim)).filter((creative) => creative.name === 'VID_test_ID-00000001-VID');
    expect(kept).toEqual([{ id: expect.stringMatching(/^\d{10}$/), name: 'VID_test_ID-00000001-VID', sha256: createHash('sha256').update(await fs.readFile(video)).digest('hex'), tab: 'native', reviewStatus: 'pending' }]);

    const before = (await state(sim)).length;
    expect(await (await upload(sim, session, video, { tab: 'native', native_type: '1' })).json()).toEqual({ ok: true });
    expect((await state(sim)).length).toBe(before);
  });

  it('rejects an in-stream video outside 5–31 s and a native image over 300,000 bytes', async () => {
    const session = await signIn(sim);
    const short = await makeVideo(path.join(dir, 'short.mp4'), { seconds: 2 });
    expect(await (await upload(sim, session, short, { tab: 'in_stream_video' })).json()).toEqual({ error: expect.stringMatching(/between 5 and 31 seconds/) });
    const big = path.join(dir, 'big.png');
    await fs.writeFile(big, Buffer.alloc(300_001, 1));
    expect(await (await upload(sim, session, big, { tab: 'native', native_type: '0' })).json()).toEqual({ error: expect.stringMatching(/too big/) });
  });

  it('sets review statuses for the status sync, and expires sessions on demand', async () => {
    const session = await signIn(sim);
    const response = await fetch(`${sim.url}/_sim/review`, { method: 'POST', body: JSON.stringify({ id: '1031666652', status: 'rejected' }) });
    expect(await response.json()).toEqual({ ok: true });
    expect((await state(sim)).find((creative) => creative.id === '1031666652')?.reviewStatus).toBe('rejected');
    await fetch(`${sim.url}/_sim/expire-sessions`, { method: 'POST' });
    expect(await (await fetch(`${sim.url}/campaigns`, { headers: { cookie: session } })).text()).toContain('We missed you');
  });
});

describe('TJ simulator faults', () => {
  it('answers 500 without keeping the file, or drops the connection after keeping it', async () => {
    const dir = await tempRoot();
    const image = await makeImage(path.join(dir, 'IMG_a_ID-0000000A-IMG.png'));
    const failing = await start({ errorRate: 1 });
    expect((await upload(failing, await signIn(failing), image, { tab: 'native' })).status).toBe(500);
    expect(await state(failing)).toEqual([]);
    await failing.close();

    const dropping = await start({ dropRate: 1 });
    await expect(upload(dropping, await signIn(dropping), image, { tab: 'native' })).rejects.toThrow();
    expect((await state(dropping)).map((creative) => creative.name)).toEqual(['IMG_a_ID-0000000A-IMG']);
    await dropping.close();
  });

  it('adds the configured latency to every response', async () => {
    const sim = await start({ latencyMs: 300 });
    const started = performance.now();
    await fetch(`${sim.url}/sign-in`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await sim.close();
  });

  it('ends an idle session after the configured minutes', async () => {
    const sim = await start({ sessionMinutes: 0.005 });
    const session = await signIn(sim);
    expect(await (await fetch(`${sim.url}/campaigns`, { headers: { cookie: session } })).text()).toContain('ALL CAMPAIGNS');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await (await fetch(`${sim.url}/campaigns`, { headers: { cookie: session } })).text()).toContain('We missed you');
    await sim.close();
  });
});

describe('TJ simulator in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ headless: true });
  });
  afterAll(() => browser.close());

  it('keeps #submitBtn disabled until the captcha is ticked, and says so for a wrong password', async () => {
    const sim = await start({ noCaptcha: false });
    const page = await browser.newPage();
    await page.goto(`${sim.url}/sign-in`);
    await page.click('button:has-text("Accept All")');
    expect(await page.getAttribute('#submitBtn', 'disabled')).toBe('');
    await page.fill('input[placeholder*="USERNAME"]', 'demo');
    await page.fill('input[type="password"]', 'wrong');
    await page.check('#captcha');
    expect(await page.getAttribute('#submitBtn', 'disabled')).toBeNull();
    await page.click('#submitBtn');
    await expect(page.textContent('body')).resolves.toContain("don't recognize these credentials");

    // The error page is a fresh form: everything is entered again.
    await page.fill('input[placeholder*="USERNAME"]', 'demo');
    await page.fill('input[type="password"]', 'demo-password');
    await page.check('#captcha');
    await page.click('#submitBtn');
    await page.waitForURL(/campaigns/);
    await expect(page.textContent('body')).resolves.toContain('ALL CAMPAIGNS');
    await page.close();
    await sim.close();
  });

  it('uploads through the Dropzone, with a preview per file that succeeds or fails', async () => {
    const sim = await start();
    const dir = await tempRoot();
    const good = await makeVideo(path.join(dir, 'VID_ok_ID-0000000B-VID.mp4'), { seconds: 2 });
    const tooBig = await makeNoiseVideo(path.join(dir, 'noise.mp4'));
    const page = await browser.newPage();
    await page.goto(`${sim.url}/sign-in`);
    await page.fill('input[placeholder*="USERNAME"]', 'demo');
    await page.fill('input[type="password"]', 'demo-password');
    await page.click('#submitBtn');
    await page.goto(`${sim.url}/media-library`);
    await page.click('a#native_tab');
    await page.check('input#native_static');
    await page.click('button#newImage');
    await page.setInputFiles('input[type="file"]', [good, tooBig]);
    await page.locator('.dz-preview.dz-complete').nth(1).waitFor();
    expect(await page.locator('.dz-preview.dz-success').count()).toBe(1);
    await expect(page.textContent('.dz-preview.dz-error .dz-error-message')).resolves.toMatch(/too big/);
    await page.reload();
    await expect(page.getAttribute('label.creativeName', 'title')).resolves.toBe('VID_ok_ID-0000000B-VID');
    await page.close();
    await sim.close();
  });
});

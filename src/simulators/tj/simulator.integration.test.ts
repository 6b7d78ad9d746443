import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMedia } from '../../media/ffmpeg-binaries.js';
import { EXAMPLE_LIBRARY_CSV, makeImage, makeNoiseVideo, makeVideo, tempRoot } from '../../test/fixtures.js';
import { launchBrowser } from '../../platform/tj/browser.js';
import { SimLibrary } from './library.js';
import { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from './options.js';
import { startSimulator, type RunningSimulator, type SimState } from './server.js';
import { MARKUP_VARIANTS } from './variants.js';

const media = openMedia();

async function start(overrides: Partial<SimulatorOptions> = {}, library?: SimLibrary): Promise<RunningSimulator> {
  return startSimulator({ ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true, ...overrides }, media, library);
}

async function signIn(sim: RunningSimulator): Promise<string> {
  const response = await fetch(`${sim.url}/sign-in`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'demo', password: 'demo-password' }),
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function upload(
  sim: RunningSimulator,
  session: string,
  file: string,
  fields: Record<string, string>,
): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', new Blob([await fs.readFile(file)]), path.basename(file));
  return fetch(`${sim.url}/media-library/upload`, { method: 'POST', body: form, headers: { cookie: session } });
}

async function grid(sim: RunningSimulator, session: string, query: string): Promise<{ cards: string; pager: string }> {
  return (await (
    await fetch(`${sim.url}/api/media-library/grid?${query}`, { headers: { cookie: session } })
  ).json()) as { cards: string; pager: string };
}

async function state(sim: RunningSimulator): Promise<SimState> {
  return (await (await fetch(`${sim.url}/_sim/state`)).json()) as SimState;
}

describe('TJ simulator over HTTP', () => {
  let sim: RunningSimulator;
  let dir: string;
  beforeAll(async () => {
    dir = await tempRoot();
    const library = new SimLibrary();
    expect(library.seedFromCsv(await fs.readFile(EXAMPLE_LIBRARY_CSV, 'utf8'))).toBe(746);
    sim = await start({ gridDelayMs: 0 }, library);
  });
  afterAll(() => sim.close());

  it('answers every app page with the same shell, signed in or not; its calls fail for a dead session', async () => {
    const dead = await fetch(`${sim.url}/media-library`);
    const alive = await fetch(`${sim.url}/media-library`, { headers: { cookie: await signIn(sim) } });
    expect([dead.status, alive.status]).toEqual([200, 200]);
    const [deadShell, aliveShell] = [await dead.text(), await alive.text()];
    expect(deadShell).toBe(aliveShell);
    // The view is the script's to draw: outside it, the shell shows no marker either way.
    expect(deadShell.replace(/<script>[\s\S]*?<\/script>/g, '')).not.toMatch(
      /MEDIA LIBRARY|ALL CAMPAIGNS|We missed you/,
    );
    expect((await fetch(`${sim.url}/api/session`)).status).toBe(401);
    expect((await fetch(`${sim.url}/api/media-library/grid?tab=native`)).status).toBe(401);
  });

  it('lists a tab 12 cards a page, newest first, the Native tab by sub-type, with a disabled Next on the last page', async () => {
    const session = await signIn(sim);
    const seeded = (await state(sim)).creatives;
    const rollovers = seeded.filter((creative) => creative.tab === 'native' && creative.nativeType === 1);
    const first = await grid(sim, session, 'tab=native&type=1&page=1');
    expect(first.cards.match(/class="creativeContainer"/g)).toHaveLength(12);
    expect(first.cards.indexOf(`data-id="${rollovers[0]?.id}"`)).toBe(first.cards.indexOf('data-id="'));
    expect(first.pager).toMatch(/<li class="paginate_button page-item next"><a class="page-link next"/);
    const last = await grid(sim, session, `tab=native&type=1&page=${Math.ceil(rollovers.length / 12)}`);
    expect(last.pager).toMatch(/page-item next disabled/);
    const statics = await grid(sim, session, 'tab=native&type=0&page=1');
    expect(statics.cards).not.toContain(`data-id="${rollovers[0]?.id}"`);
  });

  it('shows cards as the export does: In-Stream without dimensions or file type, Video Banners without file type', async () => {
    const session = await signIn(sim);
    const inStream = await grid(sim, session, 'tab=in_stream_video');
    const video = await grid(sim, session, 'tab=video');
    const banners = await grid(sim, session, 'tab=static');
    expect(inStream.cards).not.toMatch(/dimensions|fileType/);
    expect(video.cards).toMatch(/class="dimensions"/);
    expect(video.cards).not.toMatch(/fileType/);
    expect(banners.cards).toMatch(/class="fileType"/);
  });

  it('keeps what it receives, refuses a known name silently, and counts every request per name', async () => {
    const session = await signIn(sim);
    const video = await makeVideo(path.join(dir, 'VID_test_ID-00000001-VID.mp4'), { seconds: 2 });
    expect(await (await upload(sim, session, video, { tab: 'native', native_type: '1' })).json()).toEqual({ ok: true });
    const kept = (await state(sim)).creatives.filter((creative) => creative.name === 'VID_test_ID-00000001-VID');
    expect(kept).toEqual([
      {
        id: expect.stringMatching(/^\d{10}$/),
        name: 'VID_test_ID-00000001-VID',
        sha256: createHash('sha256')
          .update(await fs.readFile(video))
          .digest('hex'),
        tab: 'native',
        nativeType: 1,
        reviewStatus: 'pending',
      },
    ]);

    const before = (await state(sim)).creatives.length;
    const again = await upload(sim, session, video, { tab: 'native', native_type: '1' });
    expect([again.status, await again.json()]).toEqual([200, { ok: true }]);
    const after = await state(sim);
    expect(after.creatives.length).toBe(before);
    expect(after.uploads['VID_test_ID-00000001-VID']).toBe(2);
    expect(after.resent['VID_test_ID-00000001-VID']).toBe(1);
  });

  it("refuses with a 4xx and TJ's message: an in-stream video outside 5–31 s, a native image over 300,000 bytes", async () => {
    const session = await signIn(sim);
    const short = await upload(sim, session, await makeVideo(path.join(dir, 'short.mp4'), { seconds: 2 }), {
      tab: 'in_stream_video',
    });
    expect([short.status, await short.json()]).toEqual([
      422,
      { error: expect.stringMatching(/between 5 and 31 seconds/) },
    ]);
    const big = path.join(dir, 'big.png');
    await fs.writeFile(big, Buffer.alloc(300_001, 1));
    const tooBig = await upload(sim, session, big, { tab: 'native', native_type: '0' });
    expect([tooBig.status, await tooBig.json()]).toEqual([422, { error: expect.stringMatching(/too big/) }]);
  });

  it('sets review statuses for the status sync, counts sign-ins, and expires sessions on demand', async () => {
    const session = await signIn(sim);
    const response = await fetch(`${sim.url}/_sim/review`, {
      method: 'POST',
      body: JSON.stringify({ id: '1031666652', status: 'rejected' }),
    });
    expect(await response.json()).toEqual({ ok: true });
    const now = await state(sim);
    expect(now.creatives.find((creative) => creative.id === '1031666652')?.reviewStatus).toBe('rejected');
    expect(now.signIns).toBeGreaterThanOrEqual(4);
    expect((await fetch(`${sim.url}/api/session`, { headers: { cookie: session } })).status).toBe(200);
    await fetch(`${sim.url}/_sim/expire-sessions`, { method: 'POST' });
    expect((await fetch(`${sim.url}/api/session`, { headers: { cookie: session } })).status).toBe(401);
  });
});

describe('TJ simulator campaigns over HTTP', () => {
  const nativeCsv = (rows: string[][]): string =>
    [
      '"Ad Name","Target URL","Video Creative ID","Thumbnail Creative ID","Headline","Brand Name"',
      ...rows.map((row) => row.map((cell) => `"${cell}"`).join(',')),
    ].join('\n');
  let sim: RunningSimulator;
  let session: string;
  let ids: { video: string; image: string; preroll: string };
  beforeAll(async () => {
    const library = new SimLibrary();
    const add = (name: string, tab: 'native' | 'in_stream_video', nativeType: 0 | 1): string =>
      library.add({
        name,
        fileType: '.mp4',
        dimensions: '640x360',
        tab,
        nativeType,
        sha256: name,
        uploadDate: '2026-11-01',
      }).id;
    ids = { video: add('v', 'native', 1), image: add('i', 'native', 0), preroll: add('p', 'in_stream_video', 0) };
    sim = await start({ gridDelayMs: 0, campaigns: [{ id: '77', name: 'Seeded', type: 'native' }] }, library);
    session = await signIn(sim);
  });
  afterAll(() => sim.close());

  const post = (path: string, body: string): Promise<Response> =>
    fetch(`${sim.url}/api/campaign/77${path}`, { method: 'POST', body, headers: { cookie: session } });

  it('serves the ad settings as the script-drawn shell; its calls need a live session and a known campaign', async () => {
    expect((await fetch(`${sim.url}/campaign/77/ad-settings`)).status).toBe(200);
    expect((await fetch(`${sim.url}/api/campaign/77`)).status).toBe(401);
    expect((await fetch(`${sim.url}/api/campaign/78`, { headers: { cookie: session } })).status).toBe(404);
    expect(await (await fetch(`${sim.url}/api/campaign/77`, { headers: { cookie: session } })).json()).toEqual({
      id: '77',
      name: 'Seeded',
      type: 'native',
    });
  });

  it("lists creatives that are unknown or do not fit the campaign's type as not valid, and enforces TJ's limits", async () => {
    const invalid = await post(
      '/ads/preview',
      nativeCsv([
        ['A_ID-1', 'u', ids.preroll, ids.image, 'h', 'b'],
        ['B_ID-2', 'u', '999', ids.image, 'h', 'b'],
        ['C_ID-3', 'u', ids.video, ids.image, 'h', 'b'],
      ]),
    );
    expect([invalid.status, await invalid.json()]).toEqual([422, { invalidIds: [ids.preroll, '999'] }]);
    const tooLong = await post('/ads/preview', nativeCsv([['A'.repeat(65), 'u', ids.video, ids.image, 'h', 'b']]));
    expect(((await tooLong.json()) as { problems: string[] }).problems).toEqual([
      expect.stringMatching(/Ad Name is 65 characters; TJ takes at most 64/),
    ]);
    const tooMany = await post(
      '/ads/preview',
      nativeCsv(Array.from({ length: 51 }, (_, i) => [`N${i}`, 'u', ids.video, ids.image, 'h', 'b'])),
    );
    expect(((await tooMany.json()) as { problems: string[] }).problems).toEqual([
      expect.stringMatching(/51 ads; TJ takes 1 to 50/),
    ]);
    const preroll = await post(
      '/ads/preview',
      'Ad Name,Target URL,Creative ID,Custom CTA Text,Custom CTA URL,Banner CTA Creative ID,Banner CTA Title,Banner CTA Subtitle,Banner CTA URL,Tracking Pixel\nP,u,' +
        ids.preroll +
        ',,,,,,,',
    );
    expect(((await preroll.json()) as { problems: string[] }).problems).toEqual([
      expect.stringMatching(/takes native ads/),
    ]);
  });

  it('creates the ads of a valid CSV, counting each creation, so an ad sent twice shows twice in its table and its state', async () => {
    const csv = nativeCsv([['C_ID-3', 'u', ids.video, ids.image, 'h', 'b']]);
    expect((await post('/ads/create', csv)).status).toBe(200);
    expect((await post('/ads/create', csv)).status).toBe(200);
    const table = (await (
      await fetch(`${sim.url}/api/campaign/77/ads?length=100`, { headers: { cookie: session } })
    ).json()) as { rows: string };
    expect(table.rows.match(/C_ID-3/g)).toHaveLength(2);
    expect((await state(sim)).campaigns[0]?.ads).toEqual([
      { name: 'C_ID-3', targetUrl: 'u', creativeIds: [ids.video, ids.image], created: 2 },
    ]);
    expect((await state(sim)).campaigns[0]?.tableReads).toEqual({ 100: 1 });
  });

  it('answers a create with a 500, creating nothing, when told to', async () => {
    sim.configure({ createErrorRate: 1 });
    expect((await post('/ads/create', nativeCsv([['D_ID-4', 'u', ids.video, ids.image, 'h', 'b']]))).status).toBe(500);
    sim.configure({ createErrorRate: 0 });
    expect((await state(sim)).campaigns[0]?.ads.map((ad) => ad.name)).toEqual(['C_ID-3']);
  });
});

describe('TJ simulator faults', () => {
  it('answers a 500 with no body, or a proxy 502 page, without keeping the file; or drops the connection after keeping it', async () => {
    const image = await makeImage(path.join(await tempRoot(), 'IMG_a_ID-0000000A-IMG.png'));
    const failing = await start({ errorRate: 1 });
    const fault = await upload(failing, await signIn(failing), image, { tab: 'native' });
    expect([fault.status, await fault.text()]).toEqual([500, '']);
    expect((await state(failing)).creatives).toEqual([]);
    await failing.close();

    const proxied = await start({ proxyErrorRate: 1 });
    const proxy = await upload(proxied, await signIn(proxied), image, { tab: 'native' });
    expect([proxy.status, await proxy.text()]).toEqual([502, expect.stringContaining('<h1>502 Bad Gateway</h1>')]);
    await proxied.close();

    const dropping = await start({ dropRate: 1 });
    // The answer breaks off after its headers: reading it fails.
    await expect(
      upload(dropping, await signIn(dropping), image, { tab: 'native' }).then((response) => response.text()),
    ).rejects.toThrow();
    expect((await state(dropping)).creatives.map((creative) => creative.name)).toEqual(['IMG_a_ID-0000000A-IMG']);
    await dropping.close();
  });

  it('adds the configured latency to every response, and ends an idle session after the configured minutes', async () => {
    const slow = await start({ latencyMs: 300 });
    const started = performance.now();
    await fetch(`${slow.url}/sign-in`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await slow.close();

    const idle = await start({ sessionMinutes: 0.005 });
    const session = await signIn(idle);
    expect((await fetch(`${idle.url}/api/session`, { headers: { cookie: session } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await fetch(`${idle.url}/api/session`, { headers: { cookie: session } })).status).toBe(401);
    await idle.close();
  });
});

describe('TJ simulator in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ headless: true });
  });
  afterAll(() => browser.close());

  async function signedIn(sim: RunningSimulator): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${sim.url}/sign-in`);
    await page.fill('input[placeholder*="USERNAME"]', 'demo');
    await page.fill('input[type="password"]', 'demo-password');
    await page.click('#submitBtn');
    await page.getByText('ALL CAMPAIGNS').waitFor();
    return page;
  }

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
    await page.close();
    await sim.close();
  });

  it('judges the session after load: a dead one shows no marker at load, then moves to sign-in; a live one is told by its content', async () => {
    const sim = await start({ sessionCheckMs: 500 });
    const page = await browser.newPage();
    await page.goto(`${sim.url}/media-library`, { waitUntil: 'load' });
    expect(page.url()).toBe(`${sim.url}/media-library`);
    expect(await page.getByText('MEDIA LIBRARY', { exact: true }).count()).toBe(0);
    await page.waitForURL(/\/sign-in$/);
    await page.close();

    const live = await signedIn(sim);
    await live.goto(`${sim.url}/media-library`, { waitUntil: 'load' });
    expect(await live.getByText('MEDIA LIBRARY', { exact: true }).count()).toBe(0);
    await live.getByText('MEDIA LIBRARY', { exact: true }).waitFor();
    await live.close();
    await sim.close();
  });

  it('reloads grids in place: the URL stays, the old cards stay a moment, and the native radios hide behind their labels', async () => {
    const library = new SimLibrary();
    library.seedFromCsv(await fs.readFile(EXAMPLE_LIBRARY_CSV, 'utf8'));
    const sim = await start({ productTour: false, gridDelayMs: 400 }, library);
    const page = await signedIn(sim);
    await page.goto(`${sim.url}/media-library`);
    const firstCard = page.locator('#creatives div.creativeContainer').first();
    await firstCard.waitFor();
    const staticFirst = await firstCard.getAttribute('data-id');
    expect(await page.locator('input#native_rollover').isVisible()).toBe(false);
    await expect(page.check('input#native_rollover', { timeout: 1_000 })).rejects.toThrow();
    await page.click('label:has(input#native_rollover)');
    // Straight after the click: same URL, and the Static Banner cards are still on screen.
    expect(page.url()).toBe(`${sim.url}/media-library`);
    expect(await firstCard.getAttribute('data-id')).toBe(staticFirst);
    await expect.poll(() => firstCard.getAttribute('data-id')).not.toBe(staticFirst);
    const rollover = (await state(sim)).creatives.find(
      (creative) => creative.tab === 'native' && creative.nativeType === 1,
    );
    expect(await firstCard.getAttribute('data-id')).toBe(rollover?.id);
    await page.click('a.page-link.next');
    await page.locator('li.page-item.active a.page-link', { hasText: '2' }).waitFor();
    expect(page.url()).toBe(`${sim.url}/media-library`);
    await page.close();
    await sim.close();
  });

  it.each(MARKUP_VARIANTS.map((variant, n) => [n, variant] as const))(
    'variant %i keeps what the contract fixes and changes what it leaves open',
    async (n, variant) => {
      const library = new SimLibrary();
      for (let i = 0; i < 14; i += 1)
        library.add({
          name: `banner ${i}`,
          fileType: '.png',
          dimensions: '300x250',
          tab: 'static',
          nativeType: 0,
          sha256: String(i),
          uploadDate: '2026-11-01',
        });
      const sim = await start({ productTour: false, variant: n }, library);
      const page = await signedIn(sim);
      await page.goto(`${sim.url}/media-library`);
      // The contract-only build shows its heading before its script has judged the session: the button comes with the drawn page.
      await page.locator('button#newImage').waitFor();
      // What the contract fixes: the radios inside their labels, the upload button, each tab by a known id or its text.
      expect(await page.locator('label:has(input#native_static)').count()).toBe(1);
      expect(await page.locator('label:has(input#native_rollover)').count()).toBe(1);
      expect(await page.locator('button#newImage').count()).toBe(1);
      for (const text of ['Native', 'In-Stream', 'Static Banner', 'Video Banners'])
        expect(await page.locator('a', { hasText: text }).count(), text).toBeGreaterThan(0);
      // What it leaves open.
      expect(await page.locator('#creatives').count()).toBe(variant.container === 'creatives-div' ? 1 : 0);
      expect(
        await page
          .locator(`a.${variant.activeClass}`, {
            hasText: {
              native: 'Native',
              in_stream_video: 'In-Stream',
              static: 'Static Banner',
              video: 'Video Banners',
            }[variant.openTab],
          })
          .count(),
      ).toBe(1);
      expect(await page.locator('input[type="file"]').count()).toBe(variant.fileInput === 'zone-after-click' ? 0 : 1);
      await page.click('button#newImage');
      expect(await page.locator('input[type="file"]').count()).toBe(1);
      // The static banners, on screen once their tab is chosen, whatever was shown at open.
      await page.locator('a', { hasText: /^\s*static banners?\s*$/i }).click();
      await expect
        .poll(() => page.locator('div.creativeContainer[data-id]:visible').count(), { timeout: 5_000 })
        .toBe(12);
      await page.close();
      await sim.close();
    },
  );

  it('covers the page with a product tour that swallows clicks, once a session', async () => {
    const sim = await start({ gridDelayMs: 0 });
    const page = await signedIn(sim);
    await page.goto(`${sim.url}/media-library`);
    await page.locator('#pendo-base').waitFor();
    await expect(page.click('button#newImage', { timeout: 1_000 })).rejects.toThrow(/intercepts pointer events/);
    await page.click('button[aria-label*="Close"]');
    await page.click('button#newImage');
    await page.reload();
    await page.getByText('MEDIA LIBRARY', { exact: true }).waitFor();
    await page.locator('#creatives .dataTables_empty').waitFor();
    expect(await page.locator('#pendo-base').count()).toBe(0);
    await page.close();
    await sim.close();
  });

  it("uploads through the Dropzone, each preview with Dropzone's own words for what went wrong", async () => {
    const dir = await tempRoot();
    const good = await makeVideo(path.join(dir, 'VID_ok_ID-0000000B-VID.mp4'), { seconds: 2 });
    const tooBig = await makeNoiseVideo(path.join(dir, 'noise.mp4'));
    for (const [faults, expected] of [
      [{}, [/^$/, /too big/]],
      [{ errorRate: 1 }, [/^Server responded with 500 code\.$/, /^Server responded with 500 code\.$/]],
      [{ proxyErrorRate: 1 }, [/^502 Bad Gateway.*nginx$/, /^502 Bad Gateway.*nginx$/]],
      [{ dropRate: 1 }, [/^Server responded with 0 code\.$/, /too big/]],
    ] as const) {
      const sim = await start({ productTour: false, gridDelayMs: 0, ...faults });
      const page = await signedIn(sim);
      await page.goto(`${sim.url}/media-library`);
      await page.click('button#newImage');
      await page.setInputFiles('input[type="file"]', [good, tooBig]);
      await page.locator('.dz-preview.dz-complete').nth(1).waitFor();
      const messages = await page
        .locator('.dz-preview')
        .evaluateAll((nodes) => nodes.map((node) => node.querySelector('.dz-error-message')?.textContent ?? ''));
      expect(messages, JSON.stringify(faults)).toEqual([
        expect.stringMatching(expected[0]),
        expect.stringMatching(expected[1]),
      ]);
      await page.close();
      await sim.close();
    }
  });
});

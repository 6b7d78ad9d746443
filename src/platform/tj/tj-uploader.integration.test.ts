import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Layout } from '../../core/layout.js';
import { createLogger } from '../../core/logger.js';
import { openMedia } from '../../media/ffmpeg-binaries.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { makeImage, makeVideo, sha256, tempRoot } from '../../test/fixtures.js';
import { LoginRequiredError } from '../uploader.js';
import { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from '../../simulators/tj/options.js';
import { startSimulator, type RunningSimulator, type SimState } from '../../simulators/tj/server.js';
import { MARKUP_VARIANTS } from '../../simulators/tj/variants.js';
import { TjPage } from './tj-page.js';
import { TjUploader } from './tj-uploader.js';

const media = openMedia();
const log = createLogger({ level: 'silent', pretty: false });

async function simulator(overrides: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  return startSimulator({ ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true, ...overrides }, media);
}

async function uploaderFor(sim: RunningSimulator, root: string): Promise<TjUploader> {
  return TjUploader.open(
    {
      loginUrl: `${sim.url}/sign-in`,
      appUrl: sim.url,
      username: 'demo',
      password: 'demo-password',
      chromiumPath: undefined,
    },
    { layout: new Layout(root), storage: new StorageRepository(), log },
  );
}

async function simState(sim: RunningSimulator): Promise<SimState> {
  return (await (await fetch(`${sim.url}/_sim/state`)).json()) as SimState;
}

const nameOf = (file: string): string => path.basename(file).replace(/\.[^.]+$/, '');

describe('TjUploader against the simulator, habits on', () => {
  let sim: RunningSimulator;
  let root: string;
  let uploader: TjUploader;
  beforeAll(async () => {
    sim = await simulator();
    root = await tempRoot();
    uploader = await uploaderFor(sim, root);
  });
  afterAll(async () => {
    await uploader.close();
    await sim.close();
  });

  it('signs in first when no session is saved, then uploads a batch as Rollovers, each id paired with its file by name', async () => {
    expect((await simState(sim)).signIns).toBe(1);
    expect((await fs.stat(path.join(root, 'data/session/tj_session.json'))).mode & 0o777).toBe(0o600);
    const files = await Promise.all(
      [1, 2, 3].map((n) => makeVideo(path.join(root, `VID_x_ID-0000000${n}-VID.mp4`), { seconds: 2, seed: n })),
    );
    const results = await uploader.upload(
      'native-rollover',
      files.map((file) => ({ path: file, name: nameOf(file) })),
    );
    const state = await simState(sim);
    for (const file of files) {
      const kept = state.creatives.find((creative) => creative.name === nameOf(file));
      expect(results.get(nameOf(file))).toEqual({ status: 'uploaded', creativeId: kept?.id });
      expect(kept).toMatchObject({ tab: 'native', nativeType: 1, sha256: await sha256(file) });
      expect(state.uploads[nameOf(file)]).toBe(1);
    }
  });

  it('uploads in-stream video through the tab whose id other tools do not know, found by its other names', async () => {
    const file = await makeVideo(path.join(root, 'EN_Promo_ID-00000020.mp4'), { seconds: 6, seed: 20 });
    const results = await uploader.upload('in-stream', [{ path: file, name: nameOf(file) }]);
    expect(results.get(nameOf(file))).toMatchObject({ status: 'uploaded' });
    expect((await simState(sim)).creatives.find((creative) => creative.name === nameOf(file))?.tab).toBe(
      'in_stream_video',
    );
  });

  it('gives a name TJ already has the existing id, as a duplicate', async () => {
    const again = await makeVideo(path.join(root, 'again', 'VID_x_ID-00000001-VID.mp4'), { seconds: 2, seed: 99 });
    const results = await uploader.upload('native-rollover', [{ path: again, name: 'VID_x_ID-00000001-VID' }]);
    const original = (await simState(sim)).creatives.find((creative) => creative.name === 'VID_x_ID-00000001-VID');
    expect(results.get('VID_x_ID-00000001-VID')).toEqual({ status: 'duplicate', creativeId: original?.id });
  });

  it("reports TJ's refusal (a 4xx) as a rejection with its message, and the others of the batch as uploaded", async () => {
    const big = path.join(root, 'IMG_big_ID-0000000F-IMG.png');
    await fs.writeFile(big, Buffer.alloc(300_001, 7));
    const small = await makeImage(path.join(root, 'IMG_ok_ID-0000000E-IMG.png'));
    const results = await uploader.upload('native-static', [
      { path: big, name: 'IMG_big_ID-0000000F-IMG' },
      { path: small, name: 'IMG_ok_ID-0000000E-IMG' },
    ]);
    expect(results.get('IMG_big_ID-0000000F-IMG')).toEqual({
      status: 'rejected',
      message: expect.stringMatching(/too big/),
    });
    expect(results.get('IMG_ok_ID-0000000E-IMG')).toMatchObject({ status: 'uploaded' });
  });

  it('reads every listing of the library, both native sub-types apart, under TJ’s own type names', async () => {
    const listed = await uploader.listAll(5);
    const typeOf = (name: string): string | undefined => listed.find((card) => card.name === name)?.creativeType;
    expect(typeOf('VID_x_ID-00000001-VID')).toBe('Native Rollover');
    expect(typeOf('IMG_ok_ID-0000000E-IMG')).toBe('Native Static Banner');
    expect(typeOf('EN_Promo_ID-00000020')).toBe('In-Stream Video');
    expect(listed.map((card) => card.creativeId).sort()).toEqual(
      (await simState(sim)).creatives.map((creative) => creative.id).sort(),
    );
  });

  it('stops a listing, newest first, at the first page all older than the creative asked for: a sync reads only what may have changed', async () => {
    const added = Array.from({ length: 40 }, (_, n) =>
      sim.library.add({
        name: `EN_many_ID-${String(n).padStart(8, '0')}`,
        fileType: '.png',
        dimensions: '300x250',
        tab: 'static',
        nativeType: 0,
        sha256: String(n),
        uploadDate: '2026-12-01',
      }),
    );
    // The 15th newest: on the second page of twelve; the third page is all older.
    const olderThan = added.at(-15)?.id ?? '';
    const before = uploader.pagesRead;
    const listed = await uploader.listAll(50, olderThan);
    expect(uploader.pagesRead - before).toBe(3 + 4);
    expect(listed.filter((card) => card.creativeType === 'Static Banner')).toHaveLength(36);
    expect(listed.some((card) => card.creativeId === olderThan)).toBe(true);
  });

  it('signs in again on its own when the session dies mid-run (no captcha)', async () => {
    await fetch(`${sim.url}/_sim/expire-sessions`, { method: 'POST' });
    const file = await makeImage(path.join(root, 'IMG_late_ID-0000000D-IMG.png'), { seed: 5 });
    const results = await uploader.upload('native-static', [{ path: file, name: 'IMG_late_ID-0000000D-IMG' }]);
    expect(results.get('IMG_late_ID-0000000D-IMG')).toMatchObject({ status: 'uploaded' });
    expect((await simState(sim)).signIns).toBe(2);
  });
});

describe('TjUploader, batch after batch on one page', () => {
  // Each build of the pages: the listing fetched again in place (or, where a shown listing is not fetched again, a fresh page), faults in the second batch.
  for (const variant of MARKUP_VARIANTS.keys()) {
    it(`variant ${variant}: starts each batch from the listing the last one left; a fault is still looked up on a fresh page; each id its own file's, nothing sent twice`, async () => {
      const sim = await simulator({
        variant,
        sessionCheckMs: 100,
        faultPlan: ['ok', 'ok', 'drop', 'server-error', 'ok', 'ok'],
      });
      const root = await tempRoot();
      const uploader = await uploaderFor(sim, root);
      const opened = vi.spyOn(TjPage.prototype, 'open');
      try {
        const batch = async (n: number): Promise<{ path: string; name: string }[]> =>
          Promise.all(
            [0, 1].map(async (k) => ({
              path: await makeImage(path.join(root, `EN_b${n}_ID-000${variant}0${n}${k}0.png`), { seed: 10 * n + k }),
              name: `EN_b${n}_ID-000${variant}0${n}${k}0`,
            })),
          );
        const idOf = (state: SimState, name: string): string | undefined =>
          state.creatives.find((creative) => creative.name === name)?.id;
        const [first, second, third] = await Promise.all([batch(1), batch(2), batch(3)]);

        const firstResults = await uploader.upload('static-banner', first);
        let state = await simState(sim);
        for (const file of first)
          expect(firstResults.get(file.name), file.name).toEqual({
            status: 'uploaded',
            creativeId: idOf(state, file.name),
          });

        // One of the second batch was kept before its connection dropped, the other got a 500 (whichever arrived first): the kept one is found; the other was looked for on a fresh page read through, so it may go again.
        const opens = opened.mock.calls.length;
        const secondResults = await uploader.upload('static-banner', second);
        state = await simState(sim);
        for (const file of second) {
          const id = idOf(state, file.name);
          expect(secondResults.get(file.name), file.name).toEqual(
            id
              ? { status: 'uploaded', creativeId: id }
              : { status: 'failed', message: 'Server responded with 500 code.', checked: true },
          );
        }
        expect(second.filter((file) => idOf(state, file.name) !== undefined)).toHaveLength(1);
        expect(opened.mock.calls.length).toBeGreaterThan(opens);

        // Where a listing shown again is fetched again, a batch that goes well loads no page at all.
        const opensThen = opened.mock.calls.length;
        const thirdResults = await uploader.upload('static-banner', third);
        state = await simState(sim);
        for (const file of third)
          expect(thirdResults.get(file.name), file.name).toEqual({
            status: 'uploaded',
            creativeId: idOf(state, file.name),
          });
        if (MARKUP_VARIANTS[variant]?.listings === 'fetched') expect(opened.mock.calls.length).toBe(opensThen);
        expect(Object.values(state.uploads).every((count) => count === 1)).toBe(true);
        expect(state.resent).toEqual({});
      } finally {
        opened.mockRestore();
        await uploader.close();
        await sim.close();
      }
    });
  }
});

describe('TjUploader and the saved session', () => {
  it('drops a session signed in longer ago than SESSION_MAX_DAYS and signs in afresh; a younger one is used as it is', async () => {
    const sim = await simulator();
    const root = await tempRoot();
    const connection = {
      loginUrl: `${sim.url}/sign-in`,
      appUrl: sim.url,
      username: 'demo',
      password: 'demo-password',
      chromiumPath: undefined,
      sessionMaxDays: 7,
    };
    const deps = { layout: new Layout(root), storage: new StorageRepository(), log };
    try {
      await (await TjUploader.open(connection, deps)).close();
      expect((await simState(sim)).signIns).toBe(1);
      const signedInAt = path.join(root, 'data/session/tj_session.json.signed-in-at');
      expect((await fs.stat(signedInAt)).mode & 0o777).toBe(0o600);
      // Six days old, kept alive since: still used.
      await fs.writeFile(signedInAt, new Date(Date.now() - 6 * 86_400_000).toISOString());
      await (await TjUploader.open(connection, deps)).close();
      expect((await simState(sim)).signIns).toBe(1);
      // Eight days old: dropped, and a fresh sign-in starts its age again.
      await fs.writeFile(signedInAt, new Date(Date.now() - 8 * 86_400_000).toISOString());
      await (await TjUploader.open(connection, deps)).close();
      expect((await simState(sim)).signIns).toBe(2);
      expect(Date.now() - Date.parse(await fs.readFile(signedInAt, 'utf8'))).toBeLessThan(60_000);
    } finally {
      await sim.close();
    }
  });
});

describe('TjUploader faults', () => {
  it('says a person must sign in when a captcha stands in the way: at the start, and when a saved session dies', async () => {
    const sim = await simulator({ noCaptcha: false });
    const root = await tempRoot();
    await expect(uploaderFor(sim, root)).rejects.toThrow(LoginRequiredError);
    await sim.close();

    const later = await simulator();
    const signedIn = await tempRoot();
    const uploader = await uploaderFor(later, signedIn);
    await fetch(`${later.url}/_sim/captcha`, { method: 'POST', body: JSON.stringify({ required: true }) });
    await fetch(`${later.url}/_sim/expire-sessions`, { method: 'POST' });
    const file = await makeImage(path.join(signedIn, 'IMG_a_ID-0000000A-IMG.png'));
    const started = Date.now();
    await expect(uploader.upload('native-static', [{ path: file, name: 'IMG_a_ID-0000000A-IMG' }])).rejects.toThrow(
      LoginRequiredError,
    );
    expect(Date.now() - started).toBeLessThan(25_000);
    await uploader.close();
    await later.close();
  });

  it('signs in again on its own when the session dies between two batches on one page: the files TJ refused as signed out come back shown absent, and go again once', async () => {
    const sim = await simulator();
    const root = await tempRoot();
    const uploader = await uploaderFor(sim, root);
    try {
      const first = await makeImage(path.join(root, 'EN_one_ID-000000B1.png'), { seed: 31 });
      expect(
        (await uploader.upload('static-banner', [{ path: first, name: 'EN_one_ID-000000B1' }])).get(
          'EN_one_ID-000000B1',
        ),
      ).toMatchObject({ status: 'uploaded' });
      await fetch(`${sim.url}/_sim/expire-sessions`, { method: 'POST' });
      const second = await makeImage(path.join(root, 'EN_two_ID-000000B2.png'), { seed: 32 });
      const refused = await uploader.upload('static-banner', [{ path: second, name: 'EN_two_ID-000000B2' }]);
      // Not sent again by the adapter: it says the file is not there, by a read-back made signed in again; the upload service sends it again.
      expect(refused.get('EN_two_ID-000000B2')).toMatchObject({
        status: 'failed',
        checked: true,
        message: expect.stringMatching(/session ended/),
      });
      const results = await uploader.upload('static-banner', [{ path: second, name: 'EN_two_ID-000000B2' }]);
      const state = await simState(sim);
      expect(results.get('EN_two_ID-000000B2')).toEqual({
        status: 'uploaded',
        creativeId: state.creatives.find((creative) => creative.name === 'EN_two_ID-000000B2')?.id,
      });
      expect(state.signIns).toBe(2);
      expect(state.uploads).toEqual({ 'EN_one_ID-000000B1': 1, 'EN_two_ID-000000B2': 1 });
      expect(state.resent).toEqual({});
    } finally {
      await uploader.close();
      await sim.close();
    }
  });

  it('checks the session again before it takes a refusal: a dead session answering 403 is signed in again and the file comes back shown absent, not rejected', async () => {
    const sim = await simulator({ deadSessionStatus: 403 });
    const root = await tempRoot();
    const uploader = await uploaderFor(sim, root);
    try {
      const first = await makeImage(path.join(root, 'EN_one_ID-000000C1.png'), { seed: 41 });
      expect(
        (await uploader.upload('static-banner', [{ path: first, name: 'EN_one_ID-000000C1' }])).get(
          'EN_one_ID-000000C1',
        ),
      ).toMatchObject({ status: 'uploaded' });
      await fetch(`${sim.url}/_sim/expire-sessions`, { method: 'POST' });
      const second = await makeImage(path.join(root, 'EN_two_ID-000000C2.png'), { seed: 42 });
      const refused = await uploader.upload('static-banner', [{ path: second, name: 'EN_two_ID-000000C2' }]);
      expect(refused.get('EN_two_ID-000000C2')).toMatchObject({
        status: 'failed',
        checked: true,
        message: expect.stringMatching(/session ended.*HTTP 403/),
      });
      const results = await uploader.upload('static-banner', [{ path: second, name: 'EN_two_ID-000000C2' }]);
      const state = await simState(sim);
      expect(results.get('EN_two_ID-000000C2')).toEqual({
        status: 'uploaded',
        creativeId: state.creatives.find((creative) => creative.name === 'EN_two_ID-000000C2')?.id,
      });
      expect(state.signIns).toBe(2);
      expect(state.uploads).toEqual({ 'EN_one_ID-000000C1': 1, 'EN_two_ID-000000C2': 1 });
      expect(state.resent).toEqual({});
    } finally {
      await uploader.close();
      await sim.close();
    }
  });

  it('tells faults from refusals by the HTTP status: a 500 and a proxy’s 502 page are failures; a file kept before a dropped connection is found', async () => {
    for (const [fault, message] of [
      [{ errorRate: 1 }, /^Server responded with 500 code\.$/],
      [{ proxyErrorRate: 1 }, /502 Bad Gateway/],
      [{ dropRate: 1 }, undefined],
    ] as const) {
      const sim = await simulator(fault);
      const root = await tempRoot();
      const uploader = await uploaderFor(sim, root);
      const files = await Promise.all(
        [1, 2].map((n) => makeImage(path.join(root, `IMG_f_ID-0000010${n}-IMG.png`), { seed: n })),
      );
      const results = await uploader.upload(
        'native-static',
        files.map((file) => ({ path: file, name: nameOf(file) })),
      );
      const state = await simState(sim);
      for (const file of files) {
        // The card is the truth: a file TJ kept before the connection dropped has its id.
        const kept = state.creatives.find((creative) => creative.name === nameOf(file));
        // A failure was looked for on every page of the listing first: `checked`, so it can go again without another look.
        const expected = message
          ? { status: 'failed', message: expect.stringMatching(message), checked: true }
          : { status: 'uploaded', creativeId: kept?.id };
        expect(results.get(nameOf(file)), JSON.stringify(fault)).toEqual(expected);
      }
      // Nothing was sent twice.
      expect(Object.values(state.uploads)).toEqual([1, 1]);
      expect(state.resent).toEqual({});
      if (message) {
        // Each failure leaves a screenshot and the page's HTML, for the owner's eyes only.
        const shots = await fs.readdir(path.join(root, 'data/screenshots'));
        expect(shots.filter((name) => name.endsWith('.png')).length).toBe(
          shots.filter((name) => name.endsWith('.html')).length,
        );
        expect((await fs.stat(path.join(root, 'data/screenshots', shots[0] ?? ''))).mode & 0o777).toBe(0o600);
        expect((await fs.stat(path.join(root, 'data/screenshots'))).mode & 0o777).toBe(0o700);
      }
      await uploader.close();
      await sim.close();
    }
  });

  it('says what it waited for and what the page showed when a step fails, in its error and in the warning beside its screenshot', async () => {
    const sim = await simulator({ markupChange: 'upload-button' });
    const root = await tempRoot();
    const lines: string[] = [];
    const logged = createLogger({
      level: 'warn',
      pretty: false,
      destination: { write: (line: string) => void lines.push(line) },
    });
    const uploader = await TjUploader.open(
      {
        loginUrl: `${sim.url}/sign-in`,
        appUrl: sim.url,
        username: 'demo',
        password: 'demo-password',
        chromiumPath: undefined,
      },
      { layout: new Layout(root), storage: new StorageRepository(), log: logged },
    );
    try {
      const file = await makeImage(path.join(root, 'EN_Banner_ID-000000C1.png'), { seed: 3 });
      const failure = await uploader.upload('static-banner', [{ path: file, name: nameOf(file) }]).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.message).toMatch(
        /^TJ step "upload 1 files to Static Banner" failed waiting for button#newImage, then input\[type="file"\] and a div\.dz-preview per file: .+\. On screen: "MEDIA LIBRARY", "Account Balance" on screen, 0 cards \(\/media-library\)$/,
      );
      const screenshot = lines
        .map((line) => JSON.parse(line) as { msg: string; reason?: string; screenshot?: string })
        .find((entry) => entry.screenshot !== undefined);
      expect(screenshot?.msg).toMatch(
        /^Saved a screenshot and the page's HTML of the failure \(upload 1 files to Static Banner\): TJ step .* failed waiting for button#newImage/,
      );
      expect(screenshot?.reason).toMatch(/On screen: "MEDIA LIBRARY"/);
      expect((await simState(sim)).uploads).toEqual({});
    } finally {
      await uploader.close();
      await sim.close();
    }
  });

  it('says it is no longer alive once its Chromium is killed, so the next piece of work opens a new one', async () => {
    const sim = await simulator();
    const root = await tempRoot();
    const uploader = await uploaderFor(sim, root);
    try {
      expect(uploader.alive).toBe(true);
      // kill -9 of the browser this uploader started (the only Chromium this test process runs now).
      const children = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      const browsers = children.filter((pid) => /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')));
      expect(browsers.length).toBeGreaterThan(0);
      for (const pid of browsers) process.kill(Number(pid), 'SIGKILL');
      await expect.poll(() => uploader.alive, { timeout: 10_000 }).toBe(false);
    } finally {
      await uploader.close().catch(() => undefined);
      await sim.close();
    }
  });
});

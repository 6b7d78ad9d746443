import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp } from '../app.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../core/logger.js';
import { SimLibrary } from '../simulators/tj/library.js';
import type { SimulatorOptions } from '../simulators/tj/options.js';
import type { RunningSimulator } from '../simulators/tj/server.js';
import { runCli, startDaemon } from './cli-runner.js';
import { EXAMPLE_LIBRARY_CSV, freePort, listTree, makeImage, makeVideo, tempRoot, waitFor } from './fixtures.js';
import {
  expectIdsMatch,
  expectNothingResent,
  liveEnv,
  records,
  simCreatives,
  simState,
  testSimulator,
} from './simulated-tj.js';

const running: RunningSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function simulator(overrides: Partial<SimulatorOptions> = {}, library?: SimLibrary): Promise<RunningSimulator> {
  const sim = await testSimulator(overrides, library);
  running.push(sim);
  return sim;
}

/** Upload passes a daemon's debug log says ended. */
function uploadPassesEnded(output: string): number {
  return output.split('\n').filter((line) => line.includes('Pass ended') && line.includes('"job":"upload"')).length;
}

describe('live uploads through the browser to the simulator', () => {
  it('uploads native pairs, preroll and images, each id paired with its own file', async () => {
    const sim = await simulator();
    const root = await tempRoot();
    await makeVideo(path.join(root, 'inbox', 'a.mp4'), { seconds: 3, seed: 1, audio: true });
    await makeVideo(path.join(root, 'inbox', 'native', 'b.mp4'), { seconds: 2, seed: 2 });
    await makeVideo(path.join(root, 'inbox', 'preroll', 'Promo', 'c.mp4'), { seconds: 6, seed: 3 });
    await makeImage(path.join(root, 'inbox', 'Banners', 'd.png'), { seed: 4 });
    const result = await runCli(['process', '--once', '--root', root], liveEnv(sim));
    expect(result.code, result.stderr).toBe(0);
    const all = await records(root);
    expect(all.map((record) => record.state)).toEqual(['archived', 'archived', 'archived', 'archived']);
    expect(await expectIdsMatch(root, sim)).toBe(6);
    const tabs = (await simCreatives(sim)).map((creative) => `${creative.tab}:${creative.name.slice(0, 4)}`).sort();
    expect(tabs).toEqual([
      'in_stream_video:EN_P',
      'native:IMG_',
      'native:IMG_',
      'native:VID_',
      'native:VID_',
      'static:EN_B',
    ]);
    expect(
      all
        .flatMap((record) => record.outputs ?? [])
        .filter((output) => output.role === 'original')
        .every((output) => !output.uploads?.tj),
    ).toBe(true);
    // Archived together, in uploaded/'s sub-layout, originals included; nothing is left behind.
    expect(await listTree(path.join(root, 'uploaded'))).toEqual([]);
    const archived = await listTree(path.join(root, 'archive'));
    // Two native pairs (video, thumbnail, ORG_ original each), a preroll and an image passed through unchanged.
    expect(archived).toHaveLength(8);
    expect(new Set(archived.map((file) => file.split('/')[0]))).toEqual(
      new Set([expect.stringMatching(/^batch_001-\d{4}-\d{2}-\d{2}$/)]),
    );
    expect(archived.map((file) => file.split('/').slice(1, -1).join('/')).sort()).toEqual([
      'Image',
      'Native',
      'Native',
      'Native/Image',
      'Native/Image',
      'Native/Video',
      'Native/Video',
      'Video',
    ]);
  });

  it('records a name TJ already has as a duplicate with the existing id, and knows names from the imported export', async () => {
    const root = await tempRoot();
    await makeImage(path.join(root, 'inbox', 'Banners', 'one.png'), { seed: 11 });
    await makeImage(path.join(root, 'inbox', 'Banners', 'two.png'), { seed: 12 });
    expect((await runCli(['process', '--once', '--root', root])).code).toBe(0);
    const names = (await records(root)).map((record) =>
      path.posix.basename(record.outputs?.[0]?.path ?? '').replace(/\.png$/, ''),
    );
    // One name is on TJ already (seeded there); the other is only in the export we import.
    const library = new SimLibrary();
    const onTj = library.add({
      name: names[0] ?? '',
      fileType: '.png',
      dimensions: '64x48',
      tab: 'static',
      nativeType: 0,
      sha256: 'other',
      uploadDate: '2025-11-13',
    });
    const sim = await simulator({}, library);
    await fs.writeFile(
      path.join(root, 'tracking', 'TJ_Creative_Library.csv'),
      `creative_id,filename,upload_date,dimensions,file_type,creative_type,review_status\n1031000001,${names[1]},2025-11-13,64x48,png,Static Banner,approved\n`,
    );
    await fs.rm(path.join(root, 'data', 'db', 'library.json'), { force: true });

    const result = await runCli(['upload', '--root', root], liveEnv(sim));
    expect(result.code, result.stderr).toBe(0);
    const uploads = new Map(
      (await records(root)).map((record) => [
        path.posix.basename(record.outputs?.[0]?.path ?? '').replace(/\.png$/, ''),
        record.outputs?.[0]?.uploads?.tj,
      ]),
    );
    expect(uploads.get(names[0] ?? '')).toMatchObject({ status: 'duplicate', creativeId: onTj.id });
    expect(uploads.get(names[1] ?? '')).toMatchObject({ status: 'duplicate', creativeId: '1031000001' });
    expect(await simCreatives(sim)).toHaveLength(1);
  });

  it('sends a name the library cache knows only with --force', async () => {
    const sim = await simulator();
    const root = await tempRoot();
    await makeImage(path.join(root, 'inbox', 'Banners', 'known.png'), { seed: 13 });
    expect((await runCli(['process', '--once', '--root', root])).code).toBe(0);
    const name = path.posix.basename((await records(root))[0]?.outputs?.[0]?.path ?? '').replace(/\.png$/, '');
    await fs.writeFile(
      path.join(root, 'tracking', 'TJ_Creative_Library.csv'),
      `creative_id,filename,upload_date,dimensions,file_type,creative_type,review_status\n1031000002,${name},2025-11-13,64x48,png,Static Banner,approved\n`,
    );
    await fs.rm(path.join(root, 'data', 'db', 'library.json'), { force: true });
    expect((await runCli(['upload', '--force', '--root', root], liveEnv(sim))).code).toBe(0);
    const [record] = await records(root);
    const onTj = await simCreatives(sim);
    expect(onTj.map((creative) => creative.name)).toEqual([name]);
    expect(record?.outputs?.[0]?.uploads?.tj).toMatchObject({ status: 'uploaded', creativeId: onTj[0]?.id });
  });

  it("marks a file TJ refuses as rejected with TJ's message, and uploads the rest", async () => {
    const sim = await simulator({ rejectPattern: '-IMG$' });
    const root = await tempRoot();
    await makeVideo(path.join(root, 'inbox', 'clip.mp4'), { seconds: 2, seed: 21 });
    await makeImage(path.join(root, 'inbox', 'Banners', 'fine.png'), { seed: 22 });
    expect((await runCli(['process', '--once', '--root', root], liveEnv(sim))).code).toBe(0);
    // By kind: which of the two the stability gate let through first decides the keys' order.
    const found = await records(root);
    const native = found.find((record) => record.kind === 'native');
    const image = found.find((record) => record.kind === 'image');
    expect(native?.state).toBe('rejected');
    expect(native?.reason).toMatch(/TJ refused IMG_.*content guidelines/);
    expect(native?.outputs?.find((output) => output.role === 'video')?.uploads?.tj).toMatchObject({
      status: 'uploaded',
    });
    // Its files left uploaded/ for the dated rejected folder, each with TJ's reason beside it.
    for (const output of native?.outputs ?? []) {
      expect(output.path).toMatch(/^archive\/rejected\/\d{4}-\d{2}-\d{2}\/(VID|IMG|ORG)_/);
      expect(await fs.readFile(path.join(root, `${output.path}.reason.txt`), 'utf8')).toMatch(
        /Rejected by TJ: TJ refused IMG_.*content guidelines/,
      );
    }
    expect(await listTree(path.join(root, 'uploaded'))).toEqual([]);
    expect(image?.state).toBe('archived');
    await expectIdsMatch(root, sim);
  });

  it('gets every file up with the right id through 5xx, proxy error pages and dropped connections, none sent twice', async () => {
    const sim = await simulator({ errorRate: 0.15, proxyErrorRate: 0.1, dropRate: 0.2, faultSeed: 3 });
    const root = await tempRoot();
    await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        makeImage(path.join(root, 'inbox', 'Banners', `b${n}.png`), { seed: 100 + n }),
      ),
    );
    const result = await runCli(['process', '--once', '--root', root], liveEnv(sim));
    expect(result.code, result.stderr).toBe(0);
    // The faults did happen: some files needed a retry, after a look at the library.
    expect(result.stderr).toContain('Retrying the files of a batch');
    expect((await records(root)).map((record) => record.state)).toEqual(Array(12).fill('archived'));
    expect(await expectIdsMatch(root, sim)).toBe(12);
    expect(await simCreatives(sim)).toHaveLength(12);
    // Files TJ did not keep went again; none it kept did.
    expect(Object.values((await simState(sim)).uploads).some((requests) => requests > 1)).toBe(true);
    await expectNothingResent(sim);
  });

  it('pauses uploads when the session dies and a captcha needs a person, and resumes after login', async () => {
    const sim = await simulator();
    const root = await tempRoot();
    await makeImage(path.join(root, 'inbox', 'Banners', 'first.png'), { seed: 31 });
    expect((await runCli(['process', '--once', '--root', root], liveEnv(sim))).code).toBe(0);
    await fetch(`${sim.url}/_sim/captcha`, { method: 'POST', body: JSON.stringify({ required: true }) });
    await fetch(`${sim.url}/_sim/expire-sessions`, { method: 'POST' });

    await makeImage(path.join(root, 'inbox', 'Banners', 'second.png'), { seed: 32 });
    const paused = await runCli(['process', '--once', '--root', root], liveEnv(sim));
    expect(paused.code).toBe(0);
    expect(paused.stderr).toMatch(/Uploads paused: Signed out of the platform.*creative-flow login/);
    expect((await records(root)).map((record) => record.state)).toEqual(['archived', 'staged']);
    expect((await runCli(['status', '--root', root])).stdout).toMatch(
      /TJ: 1 creative on TJ; waits \(login needed since .*\)\n.*creative-flow login/,
    );

    await fetch(`${sim.url}/_sim/captcha`, { method: 'POST', body: JSON.stringify({ required: false }) });
    expect((await runCli(['login', '--headless', '--root', root], liveEnv(sim))).code).toBe(0);
    expect((await runCli(['upload', '--root', root], liveEnv(sim))).code).toBe(0);
    expect((await records(root)).map((record) => record.state)).toEqual(['archived', 'archived']);
    await expectIdsMatch(root, sim);
    await expectNothingResent(sim);
  });

  it('shows the TJ ids in the inventory while the daemon keeps running', async () => {
    const sim = await simulator();
    const root = await tempRoot();
    const daemon = startDaemon(root, { ...liveEnv(sim), UPLOAD_CRON: '*/1 * * * * *' });
    try {
      await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
      await makeImage(path.join(root, 'inbox', 'Banners', 'live.png'), { seed: 300 });
      const row = await waitFor(
        async () => {
          const text = await fs.readFile(path.join(root, 'tracking', 'creative_inventory.csv'), 'utf8').catch(() => '');
          return /,archive\/batch_001-/.test(text) ? text : undefined;
        },
        60_000,
        'inventory with the TJ id',
        500,
      );
      const [creative] = await simCreatives(sim);
      expect(row).toContain(`,${creative?.id},`);
      // The session dies between passes: the daemon signs in again by itself, and sends nothing twice.
      await fetch(`${sim.url}/_sim/expire-sessions`, { method: 'POST' });
      await makeImage(path.join(root, 'inbox', 'Banners', 'after expiry.png'), { seed: 301 });
      await waitFor(
        async () => (await records(root)).filter((record) => record.state === 'archived').length === 2,
        60_000,
        'the second archived',
        500,
      );
      expect((await simState(sim)).signIns).toBe(2);
      await expectIdsMatch(root, sim);
      await expectNothingResent(sim);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });

  it('survives kill -9 during a batch: no file twice on TJ, no id lost', async () => {
    const sim = await simulator({ processingMs: 700 });
    const root = await tempRoot();
    await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        makeImage(path.join(root, 'inbox', 'Banners', `k${n}.png`), { seed: 200 + n }),
      ),
    );
    const daemon = startDaemon(root, { ...liveEnv(sim), UPLOAD_CRON: '*/1 * * * * *' });
    await waitFor(async () => (await simCreatives(sim)).length >= 2, 90_000, 'a batch half sent', 50);
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    expect((await simCreatives(sim)).length).toBeLessThan(8);

    const finish = await runCli(['process', '--once', '--root', root], liveEnv(sim));
    expect(finish.code, finish.stderr).toBe(0);
    const names = (await simCreatives(sim)).map((creative) => creative.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(8);
    expect((await records(root)).map((record) => record.state)).toEqual(Array(8).fill('archived'));
    expect(await expectIdsMatch(root, sim)).toBe(8);
    await expectNothingResent(sim);
  });

  it('tries a wrong password once over many passes and restarts, says so, ingests on, and resumes with the right one', async () => {
    const sim = await simulator();
    const root = await tempRoot();
    const wrong = {
      ...liveEnv(sim),
      TJ_PASSWORD: 'not-the-password',
      UPLOAD_CRON: '*/1 * * * * *',
      LOG_LEVEL: 'debug',
    };
    await makeImage(path.join(root, 'inbox', 'Banners', 'one.png'), { seed: 401 });
    let daemon = startDaemon(root, wrong);
    try {
      await waitFor(async () => (await simState(sim)).signIns === 1, 60_000, 'the first sign-in');
      await makeImage(path.join(root, 'inbox', 'Banners', 'two.png'), { seed: 402 });
      await waitFor(
        async () => (await records(root)).filter((record) => record.state === 'staged').length === 2,
        30_000,
        'ingest goes on',
        300,
      );
      // Five more passes, each proven by its end in the log, before saying none signed in again.
      const passes = uploadPassesEnded(daemon.output());
      await waitFor(() => uploadPassesEnded(daemon.output()) >= passes + 5, 30_000, 'five more upload passes', 200);
      expect((await simState(sim)).signIns).toBe(1);
      expect(daemon.output().match(/does not recognize the username/g)?.length).toBe(1);
      const status = await runCli(['status', '--root', root]);
      expect(status.stdout).toMatch(/TJ: 0 creatives on TJ; waits \(password refused since .*\)\n.*TJ_PASSWORD/);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
    daemon = startDaemon(root, wrong);
    try {
      await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'restart');
      await waitFor(
        () => uploadPassesEnded(daemon.output()) >= 3,
        30_000,
        'three upload passes after the restart',
        200,
      );
      expect((await simState(sim)).signIns).toBe(1);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
    daemon = startDaemon(root, { ...wrong, TJ_PASSWORD: 'demo-password' });
    try {
      await waitFor(
        async () => (await records(root)).filter((record) => record.state === 'archived').length === 2,
        60_000,
        'both archived',
        500,
      );
      expect((await simState(sim)).signIns).toBe(2);
      const status = (await runCli(['status', '--root', root])).stdout;
      expect(status).toMatch(/TJ: 2 creatives on TJ\n/);
      expect(status).not.toMatch(/waits/);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });

  it('runs a status sync and an upload started together one after the other, both whole', async () => {
    const sim = await simulator();
    const root = await tempRoot();
    await makeImage(path.join(root, 'inbox', 'Banners', 'first.png'), { seed: 501 });
    expect((await runCli(['process', '--once', '--root', root], liveEnv(sim))).code).toBe(0);
    const [first] = await simCreatives(sim);
    await fetch(`${sim.url}/_sim/review`, {
      method: 'POST',
      body: JSON.stringify({ id: first?.id, status: 'approved' }),
    });
    await makeImage(path.join(root, 'inbox', 'Banners', 'second.png'), { seed: 502 });
    const app = await openApp(
      await loadConfig({ root, env: { ...liveEnv(sim), STABILITY_MS: '50' } }),
      createLogger({ level: 'silent', pretty: false }),
    );
    try {
      await app.jobs.ingestAll({ retryFailed: false });
      const [changes, pass] = await Promise.all([app.jobs.syncStatuses(), app.jobs.uploadPass()]);
      expect(changes).toEqual([expect.objectContaining({ creativeId: first?.id, to: 'approved' })]);
      expect(pass.summary).toMatchObject({ uploaded: 1 });
    } finally {
      await app.close();
    }
    await expectIdsMatch(root, sim);
    await expectNothingResent(sim);
  });

  it('uploads into libraries seeded with 746 and 5,000 creatives', async () => {
    const csv = await fs.readFile(EXAMPLE_LIBRARY_CSV, 'utf8');
    for (const size of [746, 5_000]) {
      const library = new SimLibrary();
      library.seedFromCsv(csv);
      for (let n = library.all.length; n < size; n += 1)
        library.add({
          name: `seeded ${n}`,
          fileType: '.png',
          dimensions: '300x250',
          tab: 'static',
          nativeType: 0,
          sha256: String(n),
          uploadDate: '2025-01-01',
        });
      expect(library.all).toHaveLength(size);
      const sim = await simulator({}, library);
      const root = await tempRoot();
      await makeVideo(path.join(root, 'inbox', 'clip.mp4'), { seconds: 2, seed: size });
      await makeImage(path.join(root, 'inbox', 'Banners', 'banner.png'), { seed: size });
      expect((await runCli(['process', '--once', '--root', root], liveEnv(sim))).code).toBe(0);
      expect((await records(root)).map((record) => record.state)).toEqual(['archived', 'archived']);
      expect(await expectIdsMatch(root, sim)).toBe(3);
      expect(await simCreatives(sim)).toHaveLength(size + 3);
    }
  });

  it('refuses a dry run asked of a live daemon (it would really send), and runs the same command with --live', async () => {
    const sim = await simulator({ campaigns: [{ id: '3001', name: 'Never', type: 'native' }] });
    const root = await tempRoot();
    const env = liveEnv(sim);
    // Its dashboard on: that is the local API commands ask it through.
    const daemon = startDaemon(root, { ...env, UPLOAD_CRON: '0 0 1 1 *', DASHBOARD_PORT: String(await freePort()) });
    try {
      await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
      await fs.mkdir(path.join(root, 'tracking', 'Upload_CSV'), { recursive: true });
      await fs.writeFile(
        path.join(root, 'tracking', 'Upload_CSV', 'a.csv'),
        '"Ad Name","Target URL","Video Creative ID","Thumbnail Creative ID","Headline","Brand Name"\n"A_ID-1","https://x.test","11","12","H","B"\n',
      );
      await fs.writeFile(
        path.join(root, 'tracking', 'campaign_mapping.csv'),
        'campaign_id,csv_filename,campaign_name,enabled\n3001,a.csv,Never,true\n',
      );
      // The person typed no --live: a dry run. The daemon runs live, so it must not take the job.
      const dry = { ...env, DRY_RUN: 'true' };
      for (const args of [['upload'], ['campaigns', 'create']]) {
        const asked = await runCli([...args, '--root', root], dry);
        expect([asked.code, asked.stderr], args.join(' ')).toEqual([
          2,
          expect.stringMatching(/runs live, and this was asked as a dry run/),
        ]);
      }
      expect((await simState(sim)).campaigns[0]?.ads).toEqual([]);
      expect((await simState(sim)).uploads).toEqual({});
      const live = await runCli(['upload', '--live', '--root', root], dry);
      expect([live.code, live.stderr]).toEqual([
        0,
        expect.stringMatching(/the daemon running on this root \(pid \d+\) does it/),
      ]);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });

  it('goes on after its Chromium is killed mid-pass: a new browser, the rest uploaded, nothing sent twice', async () => {
    const sim = await simulator({ processingMs: 700 });
    const root = await tempRoot();
    await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        makeImage(path.join(root, 'inbox', 'Banners', `crash${n}.png`), { seed: 600 + n }),
      ),
    );
    // A webhook receiver: the team hears of the crash once.
    const notices: string[] = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        notices.push((JSON.parse(body) as { text: string }).text);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const daemon = startDaemon(root, {
      ...liveEnv(sim),
      UPLOAD_CRON: '*/1 * * * * *',
      UPLOAD_BATCH_SIZE: '2',
      NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
    });
    try {
      await waitFor(async () => (await simCreatives(sim)).length >= 1, 90_000, 'a batch under way', 50);
      // kill -9 of the daemon's Chromium, as a crash would.
      const children = execFileSync('pgrep', ['-P', String(daemon.child.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      const browsers = children.filter((pid) => /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')));
      expect(browsers.length).toBeGreaterThan(0);
      for (const pid of browsers) process.kill(Number(pid), 'SIGKILL');
      await waitFor(
        async () => (await records(root)).filter((record) => record.state === 'archived').length === 6,
        120_000,
        'all archived after the crash',
        500,
      );
      expect(daemon.output()).toContain('The browser went away; a new one is started');
      const names = (await simCreatives(sim)).map((creative) => creative.name);
      expect(new Set(names).size).toBe(6);
      expect(names).toHaveLength(6);
      expect(await expectIdsMatch(root, sim)).toBe(6);
      await expectNothingResent(sim);
      await waitFor(() => notices.some((text) => text.includes('went away')), 10_000, 'the notice');
      expect(notices.filter((text) => text.includes('went away'))).toHaveLength(1);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Layout } from '../../core/layout.js';
import { createLogger } from '../../core/logger.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { openMedia } from '../../media/ffmpeg-binaries.js';
import { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from './simulator/options.js';
import { startSimulator, type RunningSimulator } from './simulator/server.js';
import { makeImage, makeVideo, sha256, tempRoot } from '../../test/fixtures.js';
import { LoginRequiredError } from '../uploader.js';
import { TjUploader } from './tj-uploader.js';

const media = openMedia();
const log = createLogger({ level: 'silent', pretty: false });

async function simulator(overrides: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  return startSimulator({ ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true, ...overrides }, media);
}

async function uploaderFor(sim: RunningSimulator, root: string): Promise<TjUploader> {
  return TjUploader.open(
    { loginUrl: `${sim.url}/sign-in`, appUrl: sim.url, username: 'demo', password: 'demo-password', chromiumPath: undefined },
    { layout: new Layout(root), storage: new StorageRepository(), log },
  );
}

async function simState(sim: RunningSimulator): Promise<{ id: string; name: string; sha256: string; tab: string }[]> {
  return ((await (await fetch(`${sim.url}/_sim/state`)).json()) as { creatives: never[] }).creatives;
}

describe('TjUploader against the simulator', () => {
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

  it('signs in headless, uploads a batch and pairs each id with its file by name', async () => {
    const files = await Promise.all([1, 2, 3].map((n) => makeVideo(path.join(root, `VID_x_ID-0000000${n}-VID.mp4`), { seconds: 2, seed: n })));
    const results = await uploader.upload('native-rollover', files.map((file) => ({ path: file, name: path.basename(file, '.mp4') })));
    const state = await simState(sim);
    for (const file of files) {
      const name = path.basename(file, '.mp4');
      const kept = state.find((creative) => creative.name === name);
      expect(results.get(name)).toEqual({ status: 'uploaded', creativeId: kept?.id });
      expect(kept?.sha256).toBe(await sha256(file));
    }
    expect((await fs.stat(path.join(root, 'data/session/tj_session.json'))).mode & 0o777).toBe(0o600);
  });

  it('gives a name TJ already has the existing id, as a duplicate', async () => {
    const again = await makeVideo(path.join(root, 'again', 'VID_x_ID-00000001-VID.mp4'), { seconds: 2, seed: 99 });
    const results = await uploader.upload('native-rollover', [{ path: again, name: 'VID_x_ID-00000001-VID' }]);
    const original = (await simState(sim)).find((creative) => creative.name === 'VID_x_ID-00000001-VID');
    expect(results.get('VID_x_ID-00000001-VID')).toEqual({ status: 'duplicate', creativeId: original?.id });
  });

  it("reports TJ's refusal as a rejection with its message, and the others of the batch as uploaded", async () => {
    const big = path.join(root, 'IMG_big_ID-0000000F-IMG.png');
    await fs.writeFile(big, Buffer.alloc(300_001, 7));
    const small = await makeImage(path.join(root, 'IMG_ok_ID-0000000E-IMG.png'));
    const results = await uploader.upload('native-static', [
      { path: big, name: 'IMG_big_ID-0000000F-IMG' },
      { path: small, name: 'IMG_ok_ID-0000000E-IMG' },
    ]);
    expect(results.get('IMG_big_ID-0000000F-IMG')).toEqual({ status: 'rejected', message: expect.stringMatching(/too big/) });
    expect(results.get('IMG_ok_ID-0000000E-IMG')).toMatchObject({ status: 'uploaded' });
  });

  it('signs in again on its own when the session dies mid-run (no captcha)', async () => {
    await fetch(`${sim.url}/_sim/expire-sessions`, { method: 'POST' });
    const file = await makeImage(path.join(root, 'IMG_late_ID-0000000D-IMG.png'), { seed: 5 });
    const results = await uploader.upload('native-static', [{ path: file, name: 'IMG_late_ID-0000000D-IMG' }]);
    expect(results.get('IMG_late_ID-0000000D-IMG')).toMatchObject({ status: 'uploaded' });
  });
});

describe('TjUploader faults', () => {
  it('says a person must sign in when a captcha stands in the way', async () => {
    const sim = await simulator({ noCaptcha: false });
    const root = await tempRoot();
    const uploader = await uploaderFor(sim, root);
    const file = await makeImage(path.join(root, 'IMG_a_ID-0000000A-IMG.png'));
    await expect(uploader.upload('native-static', [{ path: file, name: 'IMG_a_ID-0000000A-IMG' }])).rejects.toThrow(LoginRequiredError);
    await uploader.close();
    await sim.close();
  });

  it('marks files hit by a 500 as failed, and finds files kept before a dropped connection', async () => {
    const sim = await simulator({ errorRate: 0.5, dropRate: 0.5, faultSeed: 7 });
    const root = await tempRoot();
    const uploader = await uploaderFor(sim, root);
    const files = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => makeImage(path.join(root, `IMG_f_ID-0000010${n}-IMG.png`), { seed: n })));
    const results = await uploader.upload('native-static', files.map((file) => ({ path: file, name: path.basename(file, '.png') })));
    const state = await simState(sim);
    for (const file of files) {
      const name = path.basename(file, '.png');
      const kept = state.find((creative) => creative.name === name);
      const result = results.get(name);
      if (kept) expect(result).toEqual({ status: 'uploaded', creativeId: kept.id });
      else expect(result).toMatchObject({ status: 'failed' });
    }
    expect([...results.values()].some((result) => result.status === 'failed')).toBe(true);
    expect(state.length).toBeGreaterThan(0);
    const screenshots = (await fs.readdir(path.join(root, 'data/screenshots'))).filter((name) => name.endsWith('.png'));
    expect(screenshots).toHaveLength(1);
    expect((await fs.stat(path.join(root, 'data/screenshots', screenshots[0] ?? ''))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(root, 'data/screenshots'))).mode & 0o777).toBe(0o700);
    await uploader.close();
    await sim.close();
  });
});

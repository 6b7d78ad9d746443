import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXO_PROFILE } from '../../config/profile.js';
import { createLogger } from '../../core/logger.js';
import { USER_AGENT } from '../../core/product.js';
import { startExoSimulator, type RunningExoSimulator } from '../../simulators/exoclick/server.js';
import type { ExoSimulatorOptions } from '../../simulators/exoclick/options.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { tempRoot } from '../../test/fixtures.js';
import { CredentialsRefusedError, type UploadFile } from '../uploader.js';
import { ExoUploader } from './exo-uploader.js';

const log = createLogger({ level: 'silent', pretty: false });
const TOKEN = 'sim-exo-token';
let sim: RunningExoSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: Partial<ExoSimulatorOptions> = {}): Promise<RunningExoSimulator> {
  sim = await startExoSimulator({ port: 0, apiTokens: [TOKEN], ...options });
  return sim;
}

function open(url: string, apiToken: string | undefined = TOKEN): Promise<ExoUploader> {
  return ExoUploader.open(
    { apiUrl: `${url}/v2/`, apiToken, fileTypes: EXO_PROFILE.fileTypes, userAgent: USER_AGENT },
    { storage: new StorageRepository(), log, retryBaseMs: 5 },
  );
}

/** Files of random bytes: ExoClick's library keeps bytes, it does not decode them here. */
async function files(count: number, ext = 'png'): Promise<UploadFile[]> {
  const dir = await tempRoot();
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `IMG_EN_Cat_F_Real_SFW_Test_Me_ID-0000000${i}`;
      const file = path.join(dir, `${name}.${ext}`);
      await fs.writeFile(file, randomBytes(2_000 + i));
      return { path: file, name };
    }),
  );
}

describe('ExoClick adapter against the API simulator', () => {
  it('uploads each file once through 5xx, a dropped connection after the file was kept, and the firewall page; finds the kept one by name and hash', async () => {
    for (const fileHash of ['md5', 'sha256'] as const) {
      const api = await start({
        fileHash,
        uploadFaultPlan: ['ok', 'server-error', 'dropped-after-kept', 'firewall', 'ok'],
      });
      const uploader = await open(api.url);
      const sent = await files(5);
      const results = await uploader.upload('static-banner', sent);
      expect([...results.values()].map((result) => result.status)).toEqual([
        'uploaded',
        'failed',
        'failed',
        'failed',
        'uploaded',
      ]);
      // What the upload service does before a resend: look, then send only what is not there.
      const failed = sent.filter((file) => results.get(file.name)?.status === 'failed');
      const { found } = await uploader.find('static-banner', failed, 3);
      expect([...found.keys()]).toEqual([sent[2]?.name]);
      const again = await uploader.upload(
        'static-banner',
        failed.filter((file) => !found.has(file.name)),
      );
      expect([...again.values()].every((result) => result.status === 'uploaded')).toBe(true);
      const state = api.state();
      expect(state.resent, fileHash).toEqual({});
      expect(state.files.map((file) => file.name).sort(), fileHash).toEqual(
        sent.map((file) => `${file.name}.png`).sort(),
      );
      expect(state.faults).toMatchObject({ serverErrors: 1, dropped: 1, firewall: 1 });
      expect(found.get(sent[2]?.name ?? '')?.creativeId).toBe(
        String(state.files.find((file) => file.name === `${sent[2]?.name}.png`)?.id),
      );
      await api.close();
      sim = undefined;
    }
  });

  it('does not take a second file of the same name with other bytes for ours', async () => {
    const api = await start({ uploadFaultPlan: ['dropped-after-kept'] });
    const uploader = await open(api.url);
    const [ours] = await files(1);
    if (!ours) throw new Error('no file');
    const impostor = path.join(path.dirname(ours.path), 'other', path.basename(ours.path));
    await fs.mkdir(path.dirname(impostor));
    await fs.writeFile(impostor, randomBytes(999));
    expect((await uploader.upload('static-banner', [{ path: impostor, name: ours.name }])).get(ours.name)?.status).toBe(
      'failed',
    );
    expect((await uploader.find('static-banner', [ours], 3)).found.size).toBe(0);
  });

  it('waits for the rate limit to reset, never sooner', async () => {
    const api = await start({ rateLimit: { limit: 3, windowSeconds: 1 } });
    const uploader = await open(api.url);
    const sent = await files(6);
    const started = Date.now();
    const results = await uploader.upload('static-banner', sent);
    expect([...results.values()].every((result) => result.status === 'uploaded')).toBe(true);
    expect(api.state().tooEarly).toBe(0);
    expect(api.state().files).toHaveLength(6);
    // 7 requests (a login, 6 uploads) in windows of 3 a second: at least two resets waited out.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('logs in again when the session token runs out, not before', async () => {
    const api = await start({ tokenTtlSeconds: 1 });
    const uploader = await open(api.url);
    await uploader.upload('static-banner', await files(1));
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const results = await uploader.upload('in-stream', await files(1, 'mp4'));
    expect([...results.values()][0]?.status).toBe('uploaded');
    expect(api.state().logins.accepted).toBe(2);
    expect(api.state().files.map((file) => file.type)).toEqual(['image', 'video']);
  });

  it('says a refused API token plainly after one login attempt', async () => {
    const api = await start();
    const error = await open(api.url, 'wrong-token').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    expect((error as CredentialsRefusedError).plain).toMatch(/ExoClick refused the API token .*EXO_API_TOKEN/);
    expect((error as CredentialsRefusedError).plain).not.toContain('wrong-token');
    expect(api.state().logins).toEqual({ accepted: 0, refused: 1 });
  });

  it('keeps the words of a file ExoClick refuses, and does not retry it', async () => {
    const api = await start({ rejectPattern: 'ID-00000001' });
    const uploader = await open(api.url);
    const results = await uploader.upload('static-banner', await files(2));
    expect([...results.values()].map((result) => result.status)).toEqual(['uploaded', 'rejected']);
    expect(api.state().uploads).toEqual({
      'IMG_EN_Cat_F_Real_SFW_Test_Me_ID-00000000.png': 1,
      'IMG_EN_Cat_F_Real_SFW_Test_Me_ID-00000001.png': 1,
    });
  });

  it('creates variations once in whichever shape the account answers, found by file id, even when the answer was lost', async () => {
    for (const variationShape of ['json', 'multipart'] as const) {
      const api = await start({ variationShape, variationFaultPlan: ['dropped-after-kept'] });
      const uploader = await open(api.url);
      const sent = await files(2);
      const ids = [...(await uploader.upload('static-banner', sent)).values()].map((result) =>
        result.status === 'uploaded' ? result.creativeId : '',
      );
      expect(uploader.variationShape).toBeUndefined();
      const ads = {
        kind: 'preroll' as const,
        header: ['Ad Name', 'Target URL', 'Creative ID'],
        rows: ids.map((id, i) => ({ 'Ad Name': `Ad ${i}`, 'Target URL': 'https://example.com/', 'Creative ID': id })),
      };
      const first = await uploader.createAds('5100001', ads);
      expect(first.created, variationShape).toEqual(['Ad 0', 'Ad 1']);
      expect(uploader.variationShape, variationShape).toBe(variationShape);
      const second = await uploader.createAds('5100001', ads);
      expect(second.alreadyThere, variationShape).toEqual(['Ad 0', 'Ad 1']);
      const campaign = api.state().campaigns.find((each) => each.id === 5_100_001);
      expect(
        campaign?.variations.map((variation) => [
          variation.name,
          String(variation.idvariations_file),
          variation.creates,
        ]),
        variationShape,
      ).toEqual([
        ['Ad 0', ids[0], 1],
        ['Ad 1', ids[1], 1],
      ]);
      await api.close();
      sim = undefined;
    }
  });

  it('learns the variation shape from the first creation, writing nothing only to probe: a POST, then the PUT only where the POST has no route', async () => {
    for (const variationShape of ['json', 'multipart'] as const) {
      const api = await start({ variationShape });
      const uploader = await open(api.url);
      const ids = [...(await uploader.upload('static-banner', await files(2))).values()].map((result) =>
        result.status === 'uploaded' ? result.creativeId : '',
      );
      const ad = (i: number) => ({
        kind: 'preroll' as const,
        header: ['Ad Name', 'Target URL', 'Creative ID'],
        rows: [{ 'Ad Name': `Ad ${i}`, 'Target URL': '', 'Creative ID': ids[i] ?? '' }],
      });
      expect((await uploader.createAds('5100001', ad(0))).created, variationShape).toEqual(['Ad 0']);
      expect((await uploader.createAds('5100001', ad(1))).created, variationShape).toEqual(['Ad 1']);
      const post = 'POST /v2/campaigns/5100001/variation';
      const put = 'PUT /v2/campaigns/5100001/variations';
      // Once learnt, only the account's call: the POST that found no route is not sent again.
      expect(
        api.state().writes.filter((write) => write !== 'POST /v2/library/file'),
        variationShape,
      ).toEqual(variationShape === 'json' ? [post, put, put] : [post, post]);
      expect(
        api.state().campaigns[0]?.variations.map((variation) => variation.creates),
        variationShape,
      ).toEqual([1, 1]);
      await api.close();
      sim = undefined;
    }
  });

  it('finds a kept copy among the newest of a library longer than a few pages, without reading it all again', async () => {
    const api = await start();
    const uploader = await open(api.url);
    const many = await files(430);
    for (let i = 0; i < many.length; i += 50) await uploader.upload('static-banner', many.slice(i, i + 50));
    // A fresh process (after a crash) reads the whole type once…
    const restarted = await open(api.url);
    api.configure({ uploadFaultPlan: ['dropped-after-kept'] });
    const [late] = await files(1);
    if (!late) throw new Error('no file');
    // The same name as the library's first file, other bytes: only its own copy is its.
    const lateFile = late;
    expect((await restarted.upload('static-banner', [lateFile])).get(lateFile.name)?.status).toBe('failed');
    const before = restarted.pagesRead;
    expect((await restarted.find('static-banner', [lateFile], 3)).found.get(lateFile.name)?.creativeId).toBe(
      String(api.state().files.at(-1)?.id),
    );
    expect(restarted.pagesRead - before).toBe(4);
    // …and then starts a page before where it ended.
    const again = restarted.pagesRead;
    await restarted.find('static-banner', [lateFile], 3);
    expect(restarted.pagesRead - again).toBe(2);
  });

  it('tells a request ExoClick could not take from a file it refused: only the latter is not sent again', async () => {
    const api = await start();
    const wrongUrl = await ExoUploader.open(
      {
        apiUrl: `${api.url}/v2/`,
        apiToken: TOKEN,
        fileTypes: { ...EXO_PROFILE.fileTypes, 'static-banner': 'banner' as never },
        userAgent: USER_AGENT,
      },
      { storage: new StorageRepository(), log, retryBaseMs: 5 },
    );
    const [file] = await files(1);
    if (!file) throw new Error('no file');
    // An unknown type is ExoClick judging the request's fields (422): the file is refused as sent.
    expect((await wrongUrl.upload('static-banner', [file])).get(file.name)?.status).toBe('rejected');
    const lost = await ExoUploader.open(
      { apiUrl: `${api.url}/v2/`, apiToken: TOKEN, fileTypes: EXO_PROFILE.fileTypes, userAgent: USER_AGENT },
      { storage: new StorageRepository(), log, retryBaseMs: 5 },
    );
    await api.close();
    sim = undefined;
    expect((await lost.upload('static-banner', [file])).get(file.name)).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/no answer/),
    });
  });

  it("keeps the campaign's variations when it adds some by PUT, creating each once", async () => {
    for (const urlResultShape of ['object', 'array'] as const) {
      const api = await start({ variationShape: 'json', urlResultShape });
      const uploader = await open(api.url);
      const ids = [...(await uploader.upload('static-banner', await files(3))).values()].map((result) =>
        result.status === 'uploaded' ? result.creativeId : '',
      );
      const ads = (from: number, to: number) => ({
        kind: 'preroll' as const,
        header: ['Ad Name', 'Target URL', 'Creative ID'],
        rows: ids.slice(from, to).map((id, i) => ({
          'Ad Name': `Ad ${from + i}`,
          'Target URL': 'https://example.com/landing',
          'Creative ID': id,
        })),
      });
      await uploader.createAds('5100001', ads(0, 2));
      expect((await uploader.createAds('5100001', ads(2, 3))).created).toEqual(['Ad 2']);
      const campaign = api.state().campaigns.find((each) => each.id === 5_100_001);
      expect(
        campaign?.variations.map((variation) => [variation.name, variation.creates]),
        urlResultShape,
      ).toEqual([
        ['Ad 0', 1],
        ['Ad 1', 1],
        ['Ad 2', 1],
      ]);
      expect(api.state().variationCreates).toBe(2);
      await api.close();
      sim = undefined;
    }
  });
});

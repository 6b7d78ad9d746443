import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { CreativeRecord } from '../core/record.js';
import { startExoSimulator, type RunningExoSimulator } from '../simulators/exoclick/server.js';
import type { ExoSimulatorOptions } from '../simulators/exoclick/options.js';
import type { RunningSimulator } from '../simulators/tj/server.js';
import { PREROLL_HEADER } from '../core/campaign-format.js';
import { runCli, startCli, startDaemon } from './cli-runner.js';
import { listTree, makeImage, makeVideo, sha256, tempRoot, waitFor } from './fixtures.js';
import { expectIdsMatch, expectNothingResent, liveEnv, records, testSimulator } from './simulated-tj.js';

/**
 * One drop, both platforms: TJ through the browser to its simulator, ExoClick through the API to
 * its own, each written from its contract. Every count is read off the simulators' state.
 */
const TOKEN = 'sim-exo-token';
const running: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function simulators(
  exo: Partial<ExoSimulatorOptions> = {},
  tj: Parameters<typeof testSimulator>[0] = {},
): Promise<{ tj: RunningSimulator; exo: RunningExoSimulator }> {
  const sims = { tj: await testSimulator(tj), exo: await startExoSimulator({ port: 0, apiTokens: [TOKEN], ...exo }) };
  running.push(sims.tj, sims.exo);
  return sims;
}

function bothEnv(
  sims: { tj: RunningSimulator; exo: RunningExoSimulator },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...liveEnv(sims.tj),
    PLATFORMS: 'tj,exoclick',
    EXO_API_URL: `${sims.exo.url}/v2/`,
    EXO_API_TOKEN: TOKEN,
    EXO_VIDEO_BANNER_MAX_BYTES: '5000000',
    EXO_IMAGE_MAX_BYTES: '5000000',
    ...extra,
  };
}

/** Every output ExoClick has is there once, under its name, with its bytes, and its id is that file's. Returns how many. */
async function expectExoIdsMatch(root: string, exo: RunningExoSimulator): Promise<number> {
  const files = exo.state().files;
  let checked = 0;
  for (const record of await records(root)) {
    for (const output of record.outputs ?? []) {
      const upload = output.uploads?.exoclick;
      if (upload?.status !== 'uploaded') continue;
      const name = path.posix.basename(output.path);
      const copies = files.filter((file) => file.name === name);
      expect(copies, name).toHaveLength(1);
      expect(String(copies[0]?.id), name).toBe(upload.creativeId);
      expect(copies[0]?.sha256, name).toBe(await sha256(path.join(root, output.path)));
      checked += 1;
    }
  }
  expect(exo.state().resent).toEqual({});
  return checked;
}

function inventory(root: string): Record<string, string>[] {
  return parse<Record<string, string>>(readFileSync(path.join(root, 'tracking', 'creative_inventory.csv'), 'utf8'), {
    columns: true,
    bom: true,
  });
}

const sendable = (record: CreativeRecord) => (record.outputs ?? []).filter((output) => output.role !== 'original');

describe('one drop, TJ and ExoClick', () => {
  it('reaches both through 5xx, a dropped connection after ExoClick kept the file, its firewall page, 429s, token expiry and a kill -9 mid-upload: every file on each platform once', async () => {
    const sims = await simulators({
      latencyMs: 300,
      uploadFaultPlan: ['server-error', 'dropped-after-kept', 'ok', 'rate-limited', 'firewall'],
      rateLimit: { limit: 8, windowSeconds: 1 },
      tokenTtlSeconds: 2,
    });
    const root = await tempRoot();
    await makeVideo(path.join(root, 'inbox', 'a.mp4'), { seconds: 3, seed: 61, audio: true });
    await makeVideo(path.join(root, 'inbox', 'preroll', 'Promo', 'c.mp4'), { seconds: 6, seed: 62 });
    await makeImage(path.join(root, 'inbox', 'Banners', 'd.png'), { seed: 63 });
    await makeImage(path.join(root, 'inbox', 'Banners', 'e.png'), { seed: 64 });
    const env = bothEnv(sims, { UPLOAD_CRON: '*/2 * * * * *' });
    const daemon = startDaemon(root, env);
    try {
      await waitFor(() => Object.keys(sims.exo.state().uploads).length >= 2, 120_000, 'ExoClick uploads under way');
    } finally {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
    sims.exo.configure({ latencyMs: 0 });
    const result = await runCli(['process', '--once', '--root', root], env);
    expect(result.code, result.stderr).toBe(0);
    const all = await records(root);
    expect(all.map((record) => record.state)).toEqual(['archived', 'archived', 'archived', 'archived']);
    // A native pair (video, thumbnail), a preroll and two images: five outputs on each platform.
    expect(await expectIdsMatch(root, sims.tj)).toBe(5);
    expect(await expectExoIdsMatch(root, sims.exo)).toBe(5);
    await expectNothingResent(sims.tj);
    const state = sims.exo.state();
    expect(state.faults).toMatchObject({ serverErrors: 1, dropped: 1, firewall: 1, rateLimited: 1 });
    expect(state.tooEarly).toBe(0);
    expect(state.files.map((file) => file.type).sort()).toEqual(['image', 'image', 'image', 'video', 'video_banner']);
    const rows = inventory(root).filter((row) => row.exo_creative_id !== '');
    expect(rows.map((row) => row.exo_creative_id).sort()).toEqual(state.files.map((file) => String(file.id)).sort());
    expect(rows.every((row) => row.tj_creative_id !== '' && row.exo_upload_status === 'uploaded')).toBe(true);
    // The pass's status file has a row per platform, each id in its platform's column.
    const statusFiles = (await fs.readdir(path.join(root, 'tracking'))).filter((name) =>
      name.startsWith('upload_status_'),
    );
    const statusRows = statusFiles.flatMap((name) =>
      parse<Record<string, string>>(readFileSync(path.join(root, 'tracking', name), 'utf8'), {
        columns: true,
        bom: true,
      }),
    );
    const exoSuccesses = statusRows.filter((row) => row.platform === 'ExoClick' && row.status === 'success');
    expect(exoSuccesses.map((row) => row.exo_creative_id).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\d+$/)]),
    );
    expect(exoSuccesses.every((row) => row.tj_creative_id === '')).toBe(true);
    expect(statusRows.some((row) => row.platform === 'TrafficJunky' && /^\d+$/.test(row.tj_creative_id ?? ''))).toBe(
      true,
    );
    const report = await runCli(['report', '--root', root], env);
    expect(report.code, report.stderr).toBe(0);
    const day = (await fs.readdir(path.join(root, 'tracking', 'reports'))).find((name) => name.endsWith('.md')) ?? '';
    expect(await fs.readFile(path.join(root, 'tracking', 'reports', day), 'utf8')).toContain(
      '- Sent to TJ 5 files, ExoClick 5 files',
    );
  });

  it("while TJ waits for a person, ExoClick finishes and the archive waits for both; a file over ExoClick's limit goes to TJ alone", async () => {
    const sims = await simulators();
    const root = await tempRoot();
    await makeVideo(path.join(root, 'inbox', 'preroll', 'Promo', 'p.mp4'), { seconds: 6, seed: 71 });
    await makeImage(path.join(root, 'inbox', 'Banners', 'big.png'), { seed: 72 });
    // TJ asked for a person before this run (a captcha): recorded, so nothing opens a browser for TJ.
    await fs.mkdir(path.join(root, 'data', 'session'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'data', 'session', 'status.json'),
      JSON.stringify({
        state: 'login-required',
        since: new Date().toISOString(),
        message: 'the captcha needs a person',
      }),
    );
    const env = bothEnv(sims, { EXO_IMAGE_MAX_BYTES: '100' });
    expect((await runCli(['process', '--once', '--root', root], env)).code).toBe(0);
    let all = await records(root);
    expect(all.map((record) => record.state)).toEqual(['staged', 'staged']);
    expect(sims.exo.state().files.map((file) => file.type)).toEqual(['video']);
    const image = all.find((record) => record.kind === 'image');
    expect(image?.outputs?.[0]?.uploads?.exoclick).toMatchObject({
      status: 'unfit',
      message: expect.stringMatching(/over ExoClick's 0 KB for an image \(EXO_IMAGE_MAX_BYTES\)/),
    });
    expect(await listTree(path.join(root, 'archive'))).toEqual([]);
    const status = await runCli(['status', '--root', root], env);
    expect(status.stdout).toMatch(/TJ: 0 creatives on TJ; waits \(login needed since/);
    expect(status.stdout).toMatch(/ExoClick: 1 creative on ExoClick/);

    expect((await runCli(['login', '--headless', '--root', root], env)).code).toBe(0);
    expect((await runCli(['process', '--once', '--root', root], env)).code).toBe(0);
    all = await records(root);
    expect(all.map((record) => record.state)).toEqual(['archived', 'archived']);
    expect(await expectIdsMatch(root, sims.tj)).toBe(2);
    expect(await expectExoIdsMatch(root, sims.exo)).toBe(1);
    expect(Object.values(sims.exo.state().uploads)).toEqual([1]);
    const row = inventory(root).find((each) => each.creative_type === 'image');
    expect(row).toMatchObject({ exo_upload_status: 'unfit', exo_creative_id: '', state: 'archived' });
    expect(row?.tj_creative_id).toMatch(/^\d+$/);
    expect(sendable(all[1] as CreativeRecord).every((output) => output.uploads?.tj?.status === 'uploaded')).toBe(true);
  });

  it('a refused API token: one login attempt across passes and restarts, `status` says why, and a new token resumes', async () => {
    const exo = await startExoSimulator({ port: 0, apiTokens: [TOKEN] });
    running.push(exo);
    const root = await tempRoot();
    await makeImage(path.join(root, 'inbox', 'Banners', 'x.png'), { seed: 81 });
    const env = { DRY_RUN: 'false', PLATFORMS: 'exoclick', EXO_API_URL: `${exo.url}/v2/` };
    for (let run = 0; run < 3; run += 1)
      expect(
        (await runCli(['process', '--once', '--root', root], { ...env, EXO_API_TOKEN: 'revoked-token' })).code,
      ).toBe(0);
    expect(exo.state().logins).toEqual({ accepted: 0, refused: 1 });
    expect((await records(root)).map((record) => record.state)).toEqual(['staged']);
    const status = await runCli(['status', '--root', root], { ...env, EXO_API_TOKEN: 'revoked-token' });
    expect(status.stdout).toMatch(
      /ExoClick: 0 creatives on ExoClick; waits \(API token refused since .*\)\n\s+ExoClick refused the API token \(401/,
    );
    expect(status.stdout + status.stderr).not.toContain('revoked-token');

    expect((await runCli(['process', '--once', '--root', root], { ...env, EXO_API_TOKEN: TOKEN })).code).toBe(0);
    expect(exo.state().logins).toEqual({ accepted: 1, refused: 1 });
    expect((await records(root)).map((record) => record.state)).toEqual(['archived']);
    expect(await expectExoIdsMatch(root, exo)).toBe(1);
  });

  it('creates ExoClick variations from the mapping once each, found by file id, and resumes after a kill -9', async () => {
    const exo = await startExoSimulator({ port: 0, apiTokens: [TOKEN], variationShape: 'multipart' });
    running.push(exo);
    const root = await tempRoot();
    for (const seed of [91, 92, 93]) await makeImage(path.join(root, 'inbox', 'Banners', `v${seed}.png`), { seed });
    const env = { DRY_RUN: 'false', PLATFORMS: 'exoclick', EXO_API_URL: `${exo.url}/v2/`, EXO_API_TOKEN: TOKEN };
    expect((await runCli(['process', '--once', '--root', root], env)).code).toBe(0);
    const ids = exo.state().files.map((file) => String(file.id));
    expect(ids).toHaveLength(3);
    const dir = path.join(root, 'tracking', 'Upload_CSV');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(
      path.join(dir, 'exo.csv'),
      [
        PREROLL_HEADER.join(','),
        ...ids.map((id, i) => `Exo ad ${i},https://x.test/,${id},Watch,https://x.test/cta,,,,,`),
      ].join('\n'),
    );
    await fs.writeFile(
      path.join(root, 'tracking', 'campaign_mapping.csv'),
      'campaign_id,csv_filename,campaign_name,enabled,platform\n5100001,exo.csv,Exo one,True,exoclick\n',
    );

    // Slow answers: the kill lands after ExoClick created a variation and before the run recorded the campaign.
    exo.configure({ latencyMs: 700 });
    const first = startCli(['campaigns', 'create', '--root', root], env);
    await waitFor(() => exo.state().variationCreates >= 1, 60_000, 'a variation created', 20);
    first.child.kill('SIGKILL');
    await first.exited;
    exo.configure({ latencyMs: 0 });
    const second = await runCli(['campaigns', 'create', '--root', root], env);
    expect(second.code, second.stderr).toBe(0);
    const campaign = exo.state().campaigns.find((each) => each.id === 5_100_001);
    expect(
      campaign?.variations.map((variation) => [variation.name, String(variation.idvariations_file), variation.creates]),
    ).toEqual(ids.map((id, i) => [`Exo ad ${i}`, id, 1]));
    expect(second.stdout).toMatch(/5100001 .*succeeded/);
    const results = await fs.readdir(path.join(root, 'tracking', 'campaigns'));
    const last = parse<Record<string, string>>(
      await fs.readFile(
        path.join(
          root,
          'tracking',
          'campaigns',
          results
            .filter((name) => name.startsWith('results_'))
            .sort()
            .at(-1) ?? '',
        ),
        'utf8',
      ),
      { columns: true, bom: true },
    );
    expect(last.map((row) => row.platform)).toEqual(['exoclick', 'exoclick', 'exoclick']);
    expect(last.filter((row) => row.status === 'already_there').length).toBeGreaterThanOrEqual(1);
    expect(last.every((row) => row.status === 'created' || row.status === 'already_there')).toBe(true);
  });

  it('`check` logs in to ExoClick, lists its library and reads the campaign, sending no write (the variation shape is left to the first creation)', async () => {
    const exo = await startExoSimulator({ port: 0, apiTokens: [TOKEN], variationShape: 'multipart' });
    running.push(exo);
    const root = await tempRoot();
    const env = { PLATFORMS: 'exoclick', EXO_API_URL: `${exo.url}/v2/`, EXO_API_TOKEN: TOKEN };
    const result = await runCli(['check', '--campaign', '5100001', '--root', root], env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ exoclick\.login\s+the API token logs in/);
    expect(result.stdout).toMatch(
      /✓ exoclick\.library\s+the library lists \(first pages: 0 video_banner, 0 image, 0 video\)/,
    );
    expect(result.stdout).toMatch(
      /✓ exoclick\.campaign\s+campaign 5100001 \("Sim native campaign"\) reads, with 0 variation\(s\)/,
    );
    expect(result.stdout).toMatch(/– exoclick\.variations\s+not verified: .*check changes nothing/);
    expect(exo.state()).toMatchObject({ files: [], variationCreates: 0, uploads: {}, writes: [], writeCount: 0 });

    const refused = await runCli(['check', '--root', root], { ...env, EXO_API_TOKEN: 'nope-token' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/✗ exoclick\.login\s+ExoClick refused the API token/);
    expect(refused.stdout).not.toContain('nope-token');
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { openApp, type App } from '../app.js';
import { loadConfig } from '../config/config.js';
import { Layout, rootPath } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import type { OutputFile } from '../core/record.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { runCli, startDaemon, type Daemon, type RunAs } from './cli-runner.js';
import { listTree, makeImage, makeVideo, sha256, tempRoot, waitFor } from './fixtures.js';
import { processRoot } from './harness.js';

const run = promisify(execFile);

async function counts(root: string): Promise<Record<string, number>> {
  const result = await runCli(['status', '--json', '--root', root]);
  return (JSON.parse(result.stdout) as { counts: Record<string, number> }).counts;
}

async function stop(daemon: Daemon): Promise<void> {
  daemon.child.kill('SIGTERM');
  await daemon.exited;
}

const log = createLogger({ level: 'silent', pretty: false });

/** A native pair TJ took, with its ids, waiting in uploaded/ to be archived. */
async function uploadedPair(root: string, id: string, videoId: string, imageId: string): Promise<void> {
  const layout = new Layout(root);
  const creatives = await CreativeRepository.open(layout.db, new StorageRepository());
  const files: [OutputFile['role'], string, string | undefined][] = [
    ['video', `uploaded/Native/Video/VID_EN_Cumshot_F_Real_NSFW_Generic_Seras_4sec_ID-${id}-VID.mp4`, videoId],
    ['image', `uploaded/Native/Image/IMG_EN_Cumshot_F_Real_NSFW_Generic_Seras_ID-${id}-IMG.png`, imageId],
    ['original', `uploaded/Native/ORG_EN_Cumshot_F_Real_NSFW_Generic_Seras_6sec_ID-${id}.mp4`, undefined],
  ];
  const outputs: OutputFile[] = [];
  for (const [role, relative, creativeId] of files) {
    await fs.mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await fs.writeFile(path.join(root, relative), `${role} of ${id}`);
    const upload = creativeId
      ? { upload: { status: 'uploaded' as const, creativeId, batch: 1, at: new Date().toISOString() } }
      : {};
    outputs.push({
      role,
      path: rootPath(relative),
      bytes: 10,
      width: 640,
      height: 360,
      format: 'mp4',
      converted: role !== 'original',
      ...upload,
    });
  }
  const naming = {
    id,
    tokens: {
      language: 'EN',
      category: 'Cumshot',
      modelSex: 'F',
      style: 'Real',
      rating: 'NSFW',
      description: 'Generic',
      creator: 'Seras',
    },
    review: [],
  };
  const record = creatives.create({
    state: 'uploaded',
    kind: 'native',
    source: { path: rootPath(`inbox/${id}.mp4`), size: 10, mtimeMs: 1 },
    hash: id.padEnd(64, '0'),
    naming,
    outputs,
    attempts: 0,
    times: {},
  });
  await creatives.commit(record);
  await creatives.close();
}

async function open(root: string, env: Record<string, string> = {}): Promise<App> {
  return openApp(await loadConfig({ root, env: { STABILITY_MS: '50', ...env } }), log);
}

async function campaignCsvs(root: string): Promise<string[]> {
  return (await fs.readdir(path.join(root, 'tracking', 'Upload_CSV')).catch(() => [] as string[])).sort();
}

describe('nothing lost, nothing misfiled', () => {
  it('sets 24 different broken files of one name aside, each with its own bytes and its own reason', async () => {
    const root = await tempRoot();
    const inputs = new Map<string, string>();
    for (let n = 0; n < 24; n += 1) {
      const source = `inbox/folder-${String(n).padStart(2, '0')}/broken.mp4`;
      inputs.set(source, `not a video, number ${n}\n`);
      await fs.mkdir(path.join(root, path.dirname(source)), { recursive: true });
      await fs.writeFile(path.join(root, source), inputs.get(source) ?? '');
    }
    await processRoot(root);

    expect(await listTree(path.join(root, 'inbox'))).toEqual([]);
    const [day] = await fs.readdir(path.join(root, 'archive', 'rejected'));
    const dir = path.join(root, 'archive', 'rejected', day ?? '');
    const kept = (await fs.readdir(dir)).filter((name) => name.endsWith('.mp4'));
    expect(kept).toHaveLength(24);
    const seen = new Set<string>();
    for (const name of kept) {
      const reason = await fs.readFile(path.join(dir, `${name}.reason.txt`), 'utf8');
      const source = /^File: (.*)$/m.exec(reason)?.[1] ?? '';
      expect(reason).toMatch(/^Rejected: This is not a playable video/);
      expect(await fs.readFile(path.join(dir, name), 'utf8'), `${name} holds ${source}`).toBe(inputs.get(source));
      seen.add(source);
    }
    expect(seen.size).toBe(24);
  });

  it('writes a batch’s campaign CSVs after a crash between the archive moves and the CSVs', async () => {
    const root = await tempRoot();
    await uploadedPair(root, 'AAAA0001', '1032600001', '1032600002');
    const settings = { CAMPAIGN_TARGET_URL: 'https://x.test/?c={CampaignID}', CAMPAIGN_BRAND: 'Brand' };
    // The crash: the creatives are archived and committed, and the process dies before the CSVs.
    const crashed = await open(root, settings);
    await crashed.services.archive.run();
    await crashed.close();
    expect(await campaignCsvs(root)).toEqual([]);

    const restarted = await open(root, settings);
    await restarted.jobs.archive();
    await restarted.close();
    const [csv] = await campaignCsvs(root);
    expect(csv).toMatch(/^Batch001_\d{8}_\d{6}_Native\.csv$/);
    const rows = parse<Record<string, string>>(
      await fs.readFile(path.join(root, 'tracking', 'Upload_CSV', csv ?? ''), 'utf8'),
      { columns: true },
    );
    expect(rows).toEqual([
      expect.objectContaining({
        'Video Creative ID': '1032600001',
        'Thumbnail Creative ID': '1032600002',
        'Brand Name': 'Brand',
      }),
    ]);
    // Once written, a batch's CSVs are not written again.
    const again = await open(root, settings);
    expect(await again.jobs.archive()).toEqual([]);
    await again.close();
    expect(await campaignCsvs(root)).toEqual([csv]);
  });

  it('keeps placeholder settings away from TJ: CSVs are marked NOT_READY, the report says why, and they are written ready once set', async () => {
    const root = await tempRoot();
    await uploadedPair(root, 'BBBB0001', '1032600011', '1032600012');
    const placeholders = await open(root);
    await placeholders.jobs.archive();
    const [report] = (await placeholders.jobs.dailyReport()).filter((file) => file.endsWith('.md'));
    await placeholders.close();
    const [notReady] = await campaignCsvs(root);
    expect(notReady).toMatch(/^Batch001_\d{8}_\d{6}_Native_NOT_READY\.csv$/);
    expect(await fs.readFile(report ?? '', 'utf8')).toMatch(
      /## Needs attention\n\n- 1 campaign CSV is written as _NOT_READY.*set CAMPAIGN_TARGET_URL, CAMPAIGN_BRAND, CAMPAIGN_CTA_URL in \.env/,
    );

    const ready = await open(root, { CAMPAIGN_TARGET_URL: 'https://x.test/', CAMPAIGN_BRAND: 'Brand' });
    await ready.jobs.archive();
    await ready.close();
    expect(await campaignCsvs(root)).toEqual([notReady?.replace('_NOT_READY', '')]);
  });
});

describe('known fakes', () => {
  it('sets them aside before any conversion, by SHA-256 or MD5, counts them, and blocks more with `block`', async () => {
    const root = await tempRoot();
    const placeholder = await makeVideo(path.join(await tempRoot(), 'unavailable.mp4'), { seconds: 2, seed: 90 });
    const stub = Buffer.from('<html>This video is unavailable</html>');
    await fs.mkdir(path.join(root, 'tracking'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'tracking', 'known_fakes.csv'),
      `hash,reason\n${await sha256(placeholder)},video unavailable clip\n${createHash('md5').update(stub).digest('hex')},scraper stub\n`,
    );
    for (const folder of ['a', 'b']) {
      await fs.mkdir(path.join(root, 'inbox', folder), { recursive: true });
      await fs.copyFile(placeholder, path.join(root, 'inbox', folder, 'clip.mp4'));
    }
    await fs.writeFile(path.join(root, 'inbox', 'stub.mp4'), stub);
    await makeImage(path.join(root, 'inbox', 'real.png'), { seed: 91 });
    expect((await runCli(['process', '--once', '--root', root])).code).toBe(0);

    const status = JSON.parse((await runCli(['status', '--json', '--root', root])).stdout) as {
      knownFakes: number;
      counts: Record<string, number>;
    };
    expect(status).toMatchObject({ knownFakes: 3, counts: { rejected: 3, staged: 1 } });
    const [day] = await fs.readdir(path.join(root, 'archive', 'rejected'));
    const reasons = await Promise.all(
      ['clip.mp4', 'clip-2.mp4', 'stub.mp4'].map((name) =>
        fs.readFile(path.join(root, 'archive', 'rejected', day ?? '', `${name}.reason.txt`), 'utf8'),
      ),
    );
    expect(reasons.filter((reason) => reason.startsWith('Rejected: Known fake: video unavailable clip'))).toHaveLength(
      2,
    );
    expect(reasons.filter((reason) => reason.startsWith('Rejected: Known fake: scraper stub'))).toHaveLength(1);
    // Set aside before conversion: nothing of theirs reached uploaded/.
    expect((await listTree(path.join(root, 'uploaded'))).filter((file) => file.startsWith('Native'))).toEqual([]);

    const another = await makeImage(path.join(await tempRoot(), 'watermark.png'), { seed: 92 });
    const blocked = await runCli(['block', another, '--reason', 'watermark placeholder', '--root', root]);
    expect(blocked.stdout).toMatch(/^Blocked [0-9a-f]{64} \("watermark placeholder"\)/);
    await fs.copyFile(another, path.join(root, 'inbox', 'watermark.png'));
    expect((await runCli(['process', '--once', '--root', root])).code).toBe(0);
    expect(JSON.parse((await runCli(['status', '--json', '--root', root])).stdout)).toMatchObject({ knownFakes: 4 });
    const report = await runCli(['report', '--root', root]);
    const json = report.stdout.split('\n').find((line) => line.endsWith('.json')) ?? '';
    expect((JSON.parse(await fs.readFile(json, 'utf8')) as { counts: { knownFakes: number } }).counts.knownFakes).toBe(
      4,
    );
  });
});

describe('a disk that refuses writes', () => {
  it('pauses on a full disk (a small tmpfs) with one plain message, loses nothing, and finishes once space is freed', async (context) => {
    const mountPoint = await tempRoot('cf-tmpfs-');
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint]);
    } catch {
      // No mounting here (not root, or a container without the right): the disk on cue covers it.
      return context.skip(
        'tmpfs cannot be mounted here (not root, or a container without the right); the disk on cue covers the pause',
      );
    }
    let daemon: Daemon | undefined;
    try {
      const root = path.join(mountPoint, 'root');
      const inputs = new Map<string, string>();
      for (const n of [1, 2, 3]) {
        const file = await makeVideo(path.join(await tempRoot(), `clip-${n}.mp4`), {
          seconds: 3,
          width: 1280,
          height: 720,
          seed: 60 + n,
        });
        await fs.mkdir(path.join(root, 'inbox'), { recursive: true });
        await fs.copyFile(file, path.join(root, 'inbox', `clip-${n}.mp4`));
        inputs.set(`clip-${n}.mp4`, await sha256(file));
      }
      // Fill the disk so that about 400 KB stay free: no conversion fits.
      const { bavail, bsize } = await fs.statfs(root);
      const filler = path.join(mountPoint, 'filler.bin');
      await fs.writeFile(filler, Buffer.alloc(bavail * bsize - 400_000));

      daemon = startDaemon(root, { STABILITY_MS: '100' });
      await waitFor(() => /Work paused: The disk holding .* is full/.test(daemon?.output() ?? ''), 60_000, 'the pause');
      const paused = await counts(root);
      expect((paused.failed ?? 0) + (paused.rejected ?? 0)).toBe(0);
      expect(paused.staged).toBeLessThan(3);
      // Nothing lost: every input is still in inbox/ with its own bytes, or already staged.
      const stillInInbox = await Promise.all(
        [...inputs].map(
          async ([name, hash]) => [await sha256(path.join(root, 'inbox', name)).catch(() => undefined), hash] as const,
        ),
      );
      for (const [kept, hash] of stillInInbox.filter(([kept]) => kept !== undefined)) expect(kept).toBe(hash);
      expect(stillInInbox.filter(([kept]) => kept !== undefined).length + (paused.staged ?? 0)).toBe(3);

      await fs.rm(filler);
      await waitFor(async () => (await counts(root)).staged === 3, 90_000, 'every file staged', 1_000);
      expect(daemon.output().match(/Work paused/g)).toHaveLength(1);
      expect(daemon.output()).toContain('Work resumed');
      const originals = (await listTree(path.join(root, 'uploaded'))).filter((file) =>
        path.basename(file).startsWith('ORG_'),
      );
      expect(new Set(await Promise.all(originals.map((file) => sha256(path.join(root, 'uploaded', file)))))).toEqual(
        new Set(inputs.values()),
      );
      expect((await listTree(path.join(root, 'uploaded'))).filter((file) => file.includes('.cf-tmp-'))).toEqual([]);
      expect(await listTree(path.join(root, 'inbox'))).toEqual([]);
    } finally {
      if (daemon) await stop(daemon);
      await run('umount', [mountPoint]).catch(() => undefined);
    }
  });

  it('pauses when a folder is made read-only mid-run, says which, and goes on once it can be written again', async () => {
    const root = await tempRoot();
    // Root ignores folder modes: as root, the daemon runs as an unprivileged user that meets them.
    const runAs: RunAs | undefined = process.getuid?.() === 0 ? { uid: 65_534, gid: 65_534 } : undefined;
    const own = async (file: string): Promise<void> => {
      if (runAs) await fs.chown(file, runAs.uid, runAs.gid);
    };
    await fs.mkdir(path.join(root, 'inbox'), { recursive: true });
    await own(root);
    await own(path.join(root, 'inbox'));
    const daemon = startDaemon(root, { STABILITY_MS: '100' }, runAs);
    try {
      await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
      await own(await makeImage(path.join(root, 'inbox', 'first.png'), { seed: 71 }));
      await waitFor(async () => (await counts(root)).staged === 1, 30_000, 'first staged', 300);

      const images = path.join(root, 'uploaded', 'Image');
      await fs.chmod(images, 0o555);
      const second = await makeImage(path.join(await tempRoot(), 'second.png'), { seed: 72 });
      const hash = await sha256(second);
      await fs.copyFile(second, path.join(root, 'inbox', 'second.png'));
      await own(path.join(root, 'inbox', 'second.png'));
      await waitFor(() => daemon.output().includes('Work paused: Permission denied writing to'), 30_000, 'the pause');
      expect(daemon.output()).toContain(`Permission denied writing to ${images}`);
      expect(await sha256(path.join(root, 'inbox', 'second.png'))).toBe(hash);
      expect((await counts(root)).failed).toBe(0);

      await fs.chmod(images, 0o755);
      await waitFor(async () => (await counts(root)).staged === 2, 60_000, 'second staged', 500);
      expect(await listTree(path.join(root, 'inbox'))).toEqual([]);
    } finally {
      await stop(daemon);
    }
  });
});

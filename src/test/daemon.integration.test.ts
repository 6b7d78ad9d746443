import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startDaemon } from './cli-runner.js';
import { listTree, makeImage, makeVideo, sha256, tempRoot, waitFor } from './fixtures.js';

interface StatusJson {
  total: number;
  counts: Record<string, number>;
  inProgress: number;
}

async function status(root: string): Promise<StatusJson> {
  const result = await runCli(['status', '--json', '--root', root]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as StatusJson;
}

describe('the daemon', () => {
  it('waits for a slow writer and handles the file once, whole', async () => {
    const root = await tempRoot();
    const daemon = startDaemon(root, { STABILITY_MS: '800' });
    try {
      await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
      const source = await makeVideo(path.join(await tempRoot(), 'source.mp4'), { seconds: 3, seed: 21 });
      const bytes = await fs.readFile(source);
      const target = path.join(root, 'inbox', 'slow copy.mp4');
      const handle = await fs.open(target, 'w');
      // Sixteen chunks, 250 ms apart: four seconds of a copy that keeps pausing.
      const chunk = Math.ceil(bytes.length / 16);
      for (let offset = 0; offset < bytes.length; offset += chunk) {
        await handle.write(bytes.subarray(offset, offset + chunk));
        await handle.sync();
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await handle.close();
      const final = await waitFor(
        async () => {
          const now = await status(root);
          return now.counts.staged === 1 ? now : undefined;
        },
        60_000,
        'staging',
        1_000,
      );
      expect(final.total).toBe(1);
      expect(final.counts.rejected).toBe(0);
      const originals = (await listTree(path.join(root, 'uploaded'))).filter((file) =>
        path.basename(file).startsWith('ORG_'),
      );
      expect(originals).toHaveLength(1);
      expect(await sha256(path.join(root, 'uploaded', originals[0] ?? ''))).toBe(await sha256(source));
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });

  it('handles a burst of 1,000 files, each once', async () => {
    const root = await tempRoot();
    const daemon = startDaemon(root, { STABILITY_MS: '300' });
    try {
      await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
      const staging = await tempRoot();
      await Promise.all(
        Array.from({ length: 1_000 }, (_, n) =>
          makeImage(path.join(staging, `burst-${n}.png`), { width: 64, height: 64, seed: n + 1 }),
        ),
      );
      // Renames into inbox/ in one go: as fast as a file manager's drop.
      await Promise.all(
        Array.from({ length: 1_000 }, (_, n) =>
          fs.rename(path.join(staging, `burst-${n}.png`), path.join(root, 'inbox', `burst-${n}.png`)),
        ),
      );
      const final = await waitFor(
        async () => {
          const now = await status(root);
          return now.counts.staged === 1_000 ? now : undefined;
        },
        150_000,
        '1,000 staged',
        2_000,
      );
      expect(final.total).toBe(1_000);
      expect(await listTree(path.join(root, 'inbox'))).toEqual([]);
      expect(await listTree(path.join(root, 'uploaded', 'Image'))).toHaveLength(1_000);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });

  it('stops on SIGTERM within the grace period with exit code 0, and the file finishes on restart', async () => {
    const root = await tempRoot();
    await makeVideo(path.join(root, 'inbox', 'long.mp4'), { seconds: 20, width: 1920, height: 1080, seed: 31 });
    const daemon = startDaemon(root, { SHUTDOWN_GRACE_MS: '500' });
    await waitFor(() => /"state":"(probed|named)"/.test(daemon.output()), 60_000, 'work under way');
    const sentAt = Date.now();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(15_000);
    expect(daemon.output()).toContain('Stopped');
    expect(
      (await listTree(path.join(root, 'uploaded'))).filter((file) => path.basename(file).startsWith('.cf-tmp-')),
    ).toEqual([]);

    const again = await runCli(['process', '--once', '--root', root]);
    expect(again.code, again.stderr).toBe(0);
    const after = await status(root);
    expect(after.counts.staged).toBe(1);
    expect(after.total).toBe(1);
  });

  it('survives kill -9 at any moment: every file ends handled once', async () => {
    const root = await tempRoot();
    const inputs = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        makeVideo(path.join(root, 'inbox', `clip-${n}.mp4`), {
          seconds: 5,
          width: 1280,
          height: 720,
          seed: 40 + n,
          audio: n % 2 === 0,
        }),
      ),
    );
    const hashes = new Set(await Promise.all(inputs.map(sha256)));
    // Two hard kills at different moments of the run, then a clean finish.
    for (const waitForLines of [2, 9]) {
      const daemon = startDaemon(root);
      await waitFor(
        () => (daemon.output().match(/"state":"/g)?.length ?? 0) >= waitForLines,
        90_000,
        `${waitForLines} state changes`,
      );
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
    const finish = await runCli(['process', '--once', '--root', root]);
    expect(finish.code, finish.stderr).toBe(0);

    const final = await status(root);
    expect(final.total).toBe(6);
    expect(final.counts.staged).toBe(6);
    expect(final.counts.duplicate).toBe(0);
    const uploaded = await listTree(path.join(root, 'uploaded'));
    expect(uploaded.filter((file) => file.includes('.cf-tmp-'))).toEqual([]);
    const originals = uploaded.filter((file) => path.basename(file).startsWith('ORG_'));
    expect(originals).toHaveLength(6);
    expect(new Set(await Promise.all(originals.map((file) => sha256(path.join(root, 'uploaded', file)))))).toEqual(
      hashes,
    );
    expect(uploaded.filter((file) => file.startsWith('Native/Video/'))).toHaveLength(6);
    expect(uploaded.filter((file) => file.startsWith('Native/Image/'))).toHaveLength(6);
    expect(await listTree(path.join(root, 'inbox'))).toEqual([]);
  });
});

describe('the command line', () => {
  it('prints counts and the last errors', async () => {
    const root = await tempRoot();
    await fs.mkdir(path.join(root, 'inbox'), { recursive: true });
    await fs.writeFile(path.join(root, 'inbox', 'broken.mp4'), 'not a video');
    await makeImage(path.join(root, 'inbox', 'ok.png'));
    expect((await runCli(['process', '--once', '--root', root])).code).toBe(0);
    const text = await runCli(['status', '--root', root]);
    expect(text.stdout).toMatch(/staged +1/);
    expect(text.stdout).toMatch(/rejected +1/);
    expect(text.stdout).toMatch(/Last errors:[\s\S]*inbox\/broken\.mp4[\s\S]*not a playable video/);
  });

  it('stops with a message naming the bad key, and exits non-zero', async () => {
    const root = await tempRoot();
    const result = await runCli(['process', '--once', '--root', root], { STABILITY_MS: 'soon' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid configuration: STABILITY_MS must be a number \(got "soon"\)/);
  });

  it('says how to install ffmpeg when it cannot be found', async () => {
    const root = await tempRoot();
    const result = await runCli(['process', '--once', '--root', root], { FFMPEG_PATH: '/nowhere/ffmpeg' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /FFMPEG_PATH "\/nowhere\/ffmpeg" is not an executable file.*apt-get install -y ffmpeg/,
    );
  });

  it('stops with a plain message when the database cannot be read, and starts no empty one', async () => {
    const root = await tempRoot();
    await fs.mkdir(path.join(root, 'data'), { recursive: true });
    await fs.writeFile(path.join(root, 'data', 'db'), 'a file where the database folder belongs');
    for (const args of [['status'], ['process', '--once']]) {
      const result = await runCli([...args, '--root', root]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/The database at .*data\/db cannot be read/);
    }
  });

  it('refuses a second process on the same root', async () => {
    const root = await tempRoot();
    const daemon = startDaemon(root);
    try {
      await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
      const second = await runCli(['process', '--once', '--root', root]);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(/Another creative-flow \(pid \d+, since [^)]+\) is using this root/);
    } finally {
      daemon.child.kill('SIGINT');
      expect(await daemon.exited).toBe(0);
    }
  });
});

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli, startDaemon } from './cli-runner.js';
import { listTree, makeImage, makeVideo, sha256, tempRoot, waitFor } from './fixtures.js';

const SECRET = 'TJ_PASSWORD=correct-horse-battery-staple\n';
const TWO_DAYS_AGO = new Date(Date.now() - 2 * 24 * 3600_000);

/**
 * Every file below `dir` with its hash and the second it was last read: what "nothing read, nothing
 * moved" is checked against. The files' access times are set two days back first, so that even a
 * `relatime` mount records the next read.
 */
async function snapshot(dir: string): Promise<Map<string, { hash: string; readAt: number }>> {
  const seen = new Map<string, { hash: string; readAt: number }>();
  for (const name of await listTree(dir)) {
    const file = path.join(dir, name);
    const { atime, mtime } = await fs.stat(file);
    // Hashing reads the file: its access time is taken first, and put back after.
    seen.set(name, { hash: await sha256(file), readAt: Math.floor(atime.getTime() / 1000) });
    await fs.utimes(file, atime, mtime);
  }
  return seen;
}

/** An inbox on another filesystem (a tmpfs), where a move is a copy; or, where there is none, the root's own. */
async function inboxElsewhere(root: string): Promise<string | undefined> {
  const shm = await fs.mkdtemp('/dev/shm/cf-inbox-').catch(() => undefined);
  if (!shm || (await fs.stat(shm)).dev === (await fs.stat(os.tmpdir())).dev) return undefined;
  await fs.symlink(shm, path.join(root, 'inbox'));
  return shm;
}

describe('hostile and careless drops into a running daemon', () => {
  it('sets aside links, a playlist, a formula name and a 250-byte name without reading, moving or copying anything outside the root, and takes the ordinary files beside them', async () => {
    const root = await tempRoot();
    const shm = await inboxElsewhere(root);
    if (!shm)
      console.info(
        "No second filesystem here (/dev/shm is missing or on the same device): the inbox stays on the root's, and a link is moved by rename",
      );
    const outside = await tempRoot('cf-outside-');
    await makeImage(path.join(outside, 'photos', 'beach.png'), { width: 64, height: 48, seed: 7 });
    await makeVideo(path.join(outside, 'photos', 'holiday.mp4'), { seconds: 1, seed: 8 });
    await fs.mkdir(path.join(outside, '.ssh'));
    await fs.writeFile(path.join(outside, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n');
    await fs.writeFile(path.join(outside, 'secret.env'), SECRET);
    for (const name of await listTree(outside)) await fs.utimes(path.join(outside, name), TWO_DAYS_AGO, TWO_DAYS_AGO);
    const before = await snapshot(outside);

    const daemon = startDaemon(root, { STABILITY_MS: '200' });
    try {
      await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
      const inbox = path.join(root, 'inbox');
      const longName = `${'x'.repeat(246)}.mp4`;
      const formulaName = '=HYPERLINK("evil.example","open").png';
      await fs.symlink(path.join(outside, 'photos'), path.join(inbox, 'pictures'));
      await fs.symlink(outside, path.join(inbox, 'home'));
      await fs.symlink(path.join(outside, 'secret.env'), path.join(inbox, 'creds.mp4'));
      await fs.writeFile(
        path.join(inbox, 'playlist.mp4'),
        `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${path.join(outside, 'photos', 'holiday.mp4')}\n#EXT-X-ENDLIST\n`,
      );
      await fs.writeFile(path.join(inbox, longName), 'not a video at all');
      await makeImage(path.join(inbox, formulaName), { width: 300, height: 250, seed: 3 });
      await makeVideo(path.join(inbox, 'native', 'ordinary.mp4'), { seconds: 2, seed: 4 });
      await makeImage(path.join(inbox, 'banner.png'), { width: 300, height: 250, seed: 5 });

      const final = await waitFor(
        async () => {
          const result = await runCli(['status', '--json', '--root', root]);
          const status = JSON.parse(result.stdout) as {
            total: number;
            inProgress: number;
            counts: Record<string, number>;
          };
          return status.total === 8 &&
            status.inProgress === 0 &&
            (status.counts.rejected ?? 0) + (status.counts.staged ?? 0) === 8
            ? status
            : undefined;
        },
        90_000,
        'all eight drops handled',
        500,
      );
      expect(final.counts).toMatchObject({ rejected: 5, staged: 3 });
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }

    // Nothing outside the root was read, moved or changed.
    expect(await snapshot(outside)).toEqual(before);
    // The links sit in archive/rejected as links; no file anywhere in the root holds the secret.
    const rejectedDir = path.join(root, 'archive', 'rejected');
    const setAside = (await fs.readdir(rejectedDir, { recursive: true, withFileTypes: true })).map((entry) =>
      path.relative(rejectedDir, path.join(entry.parentPath, entry.name)),
    );
    for (const link of ['pictures', 'home', 'creds.mp4']) {
      const found = setAside.find((name) => path.basename(name) === link);
      expect(found, link).toBeDefined();
      expect((await fs.lstat(path.join(rejectedDir, found ?? ''))).isSymbolicLink(), link).toBe(true);
    }
    for (const name of await listTree(root)) {
      const stats = await fs.lstat(path.join(root, name));
      if (stats.isFile()) expect((await fs.readFile(path.join(root, name))).includes(SECRET), name).toBe(false);
    }
    const reasons = await Promise.all(
      setAside
        .filter((name) => name.endsWith('.reason.txt'))
        .map((name) => fs.readFile(path.join(rejectedDir, name), 'utf8')),
    );
    expect(reasons.find((text) => text.includes('File: inbox/playlist.mp4'))).toMatch(
      /holds a "hls" list that names other files/,
    );
    expect(reasons.find((text) => text.includes('File: inbox/creds.mp4'))).toMatch(
      /symbolic link \(to .*secret\.env\)/,
    );
    // The 250-byte name is set aside under a name that fits, its reason beside it naming the file in full.
    const long = setAside.find((name) => path.basename(name).startsWith('xxx') && name.endsWith('.mp4'));
    expect(Buffer.byteLength(path.basename(long ?? ''))).toBeLessThanOrEqual(200);
    expect(await fs.readFile(path.join(rejectedDir, `${long}.reason.txt`), 'utf8')).toContain(
      `File: inbox/${'x'.repeat(246)}.mp4`,
    );

    // The ordinary files and the formula-named image went through; nothing from outside became an output.
    const outputs = await listTree(path.join(root, 'uploaded'));
    // The native pair, its original, and the two images (which pass through as they are).
    expect(outputs.map((name) => name.replace(/_ID-[0-9A-F]+/, ''))).toEqual([
      'Image/EN_UNK_UNK_UNK_UNK_HYPERLINKevil-exampleopen_UNK.png',
      'Image/EN_UNK_UNK_UNK_UNK_banner_UNK.png',
      'Native/Image/IMG_EN_UNK_UNK_UNK_UNK_ordinary_UNK-IMG.png',
      'Native/ORG_EN_UNK_UNK_UNK_UNK_ordinary_UNK_2sec.mp4',
      'Native/Video/VID_EN_UNK_UNK_UNK_UNK_ordinary_UNK_2sec-VID.mp4',
    ]);
    expect(outputs.some((name) => /beach|holiday|id_ed25519/.test(name))).toBe(false);
    const inventory = parse<Record<string, string>>(
      await fs.readFile(path.join(root, 'tracking', 'creative_inventory.csv'), 'utf8'),
      { columns: true, bom: true },
    );
    const cells = inventory.flatMap((row) => Object.values(row));
    expect(cells.some((cell) => cell.includes('HYPERLINK'))).toBe(true);
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    if (shm) await fs.rm(shm, { recursive: true, force: true });
  });
});

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nameWithin } from '../core/files.js';
import { sha256, tempRoot } from '../test/fixtures.js';
import { ProcessLock, RootInUseError } from './process-lock.js';
import { StorageRepository } from './storage.repository.js';

/**
 * A filesystem without hard links (exFAT, FAT, SMB without unix extensions): its `link()` fails
 * with EPERM. This machine's kernel mounts none of them, so the one call they differ in is the
 * edge modelled here; everything else is the real filesystem.
 */
class NoHardLinks extends StorageRepository {
  linkCalls = 0;
  protected override async linkUnlessUnsupported(): Promise<boolean> {
    this.linkCalls += 1;
    return false;
  }
}

/** A folder on another filesystem than the temp folder, or undefined where there is none. */
async function otherFilesystem(): Promise<string | undefined> {
  const shm = await fs.mkdtemp('/dev/shm/cf-').catch(() => undefined);
  if (shm && (await fs.stat(shm)).dev !== (await fs.stat(os.tmpdir())).dev) return shm;
  return undefined;
}

describe('StorageRepository on what a root may be', () => {
  it('claims, locks, writes new files and moves without hard links', async () => {
    const storage = new NoHardLinks();
    const dir = await tempRoot();
    const claim = path.join(dir, 'claim.txt');
    await storage.createExclusive(claim, 'mine');
    await expect(storage.createExclusive(claim, 'theirs')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await fs.readFile(claim, 'utf8')).toBe('mine');

    const lockFile = path.join(dir, 'creative-flow.lock');
    const lock = await ProcessLock.acquire(lockFile, storage);
    await expect(ProcessLock.acquire(lockFile, storage)).rejects.toBeInstanceOf(RootInUseError);
    // A lock that changed hands is put back, not removed, by a release that is no longer its owner's.
    await fs.writeFile(lockFile, 'another holder');
    await lock.release();
    expect(await fs.readFile(lockFile, 'utf8')).toBe('another holder');

    const first = await storage.writeNewFile(path.join(dir, 'tracking', 'results.csv'), 'a');
    const second = await storage.writeNewFile(path.join(dir, 'tracking', 'results.csv'), 'b');
    expect([path.basename(first), path.basename(second)]).toEqual(['results.csv', 'results-2.csv']);

    const source = path.join(dir, 'inbox', 'clip.mp4');
    await fs.mkdir(path.dirname(source));
    await fs.writeFile(source, 'the creative');
    const hash = await sha256(source);
    await storage.moveFile(source, path.join(dir, 'archive', 'clip.mp4'), hash);
    expect(await sha256(path.join(dir, 'archive', 'clip.mp4'))).toBe(hash);
    expect(await storage.exists(source)).toBe(false);
    expect(storage.linkCalls).toBeGreaterThanOrEqual(5);
    expect(
      (await fs.readdir(dir, { recursive: true })).filter((name) => path.basename(name).startsWith('.cf-tmp-')),
    ).toEqual([]);
  });

  it('finds a link at any step of a path below the base, and none above it', async () => {
    const storage = new StorageRepository();
    const root = await tempRoot();
    const outside = await tempRoot();
    await fs.mkdir(path.join(outside, 'sub'));
    await fs.writeFile(path.join(outside, 'sub', 'photo.jpg'), 'private');
    await fs.mkdir(path.join(root, 'inbox', 'native'), { recursive: true });
    await fs.symlink(outside, path.join(root, 'inbox', 'native', 'pictures'));
    const deep = path.join(root, 'inbox', 'native', 'pictures', 'sub', 'photo.jpg');
    expect(await storage.linkOnPath(path.join(root, 'inbox'), deep)).toEqual({
      path: path.join(root, 'inbox', 'native', 'pictures'),
      target: outside,
    });
    // The inbox itself may be a link (a second disk): that is the user's setting, not a drop.
    const linkedRoot = path.join(await tempRoot(), 'root');
    await fs.symlink(root, linkedRoot);
    expect(
      await storage.linkOnPath(path.join(linkedRoot, 'inbox'), path.join(linkedRoot, 'inbox', 'native')),
    ).toBeUndefined();
  });

  it('moves a link to a secret as a link, across filesystems too, and never copies what it points to', async (context) => {
    const storage = new StorageRepository();
    const shm = await otherFilesystem();
    if (!shm)
      return context.skip('no second filesystem here: /dev/shm is missing or on the same device as the temp folder');
    const secret = path.join(await tempRoot(), '.env');
    await fs.writeFile(secret, 'TJ_PASSWORD=hunter2\n');
    const link = path.join(shm, 'creds.mp4');
    await fs.symlink(secret, link);
    const archive = path.join(await tempRoot(), 'archive', 'rejected');
    await storage.moveFile(link, path.join(archive, 'creds.mp4'));
    expect(await fs.readlink(path.join(archive, 'creds.mp4'))).toBe(secret);
    expect(await storage.exists(link)).toBe(false);
    for (const name of await fs.readdir(archive)) {
      expect((await fs.lstat(path.join(archive, name))).isFile(), name).toBe(false);
    }
    expect(await fs.readFile(secret, 'utf8')).toBe('TJ_PASSWORD=hunter2\n');
    await fs.rm(shm, { recursive: true, force: true });
  });

  it('shortens a name past the limit to one that fits with room for what is added to it, keeping its extension and telling long names apart', () => {
    const long = `${'é'.repeat(120)}.mp4`;
    const other = `${'é'.repeat(119)}x.mp4`;
    const short = nameWithin(long, 200);
    expect(Buffer.byteLength(short)).toBeLessThanOrEqual(200);
    expect(short.endsWith('.mp4')).toBe(true);
    expect(short).not.toBe(nameWithin(other, 200));
    expect(short).not.toContain('\uFFFD');
    expect(nameWithin('clip.mp4', 200)).toBe('clip.mp4');
  });
});

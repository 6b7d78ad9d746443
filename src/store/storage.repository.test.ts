import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256, tempRoot } from '../test/fixtures.js';
import { DestinationTakenError, StorageRepository, TEMP_PREFIX } from './storage.repository.js';

const storage = new StorageRepository();

describe('StorageRepository', () => {
  it('hashes by streaming and writes atomically without leaving temporary files', async () => {
    const dir = await tempRoot();
    const file = path.join(dir, 'out', 'a.csv');
    await storage.writeFileAtomic(file, 'one');
    await storage.writeFileAtomic(file, 'two');
    expect(await fs.readFile(file, 'utf8')).toBe('two');
    expect(await fs.readdir(path.dirname(file))).toEqual(['a.csv']);
    expect(await storage.hashFile(file)).toBe(await sha256(file));
  });

  it('moves across devices by copy, hash check and unlink', async (context) => {
    // /dev/shm is a tmpfs on Linux: a rename from there to the temp folder fails with EXDEV.
    const shm = await fs.mkdtemp('/dev/shm/cf-').catch(() => undefined);
    if (!shm || (await fs.stat(shm)).dev === (await fs.stat(os.tmpdir())).dev)
      return context.skip('no second filesystem here: /dev/shm is missing or on the same device as the temp folder');
    const from = path.join(shm, 'source.bin');
    await fs.writeFile(from, Buffer.alloc(3 << 20, 7));
    const hash = await sha256(from);
    const to = path.join(await tempRoot(), 'dest', 'moved.bin');
    await storage.moveFile(from, to, hash);
    expect(await sha256(to)).toBe(hash);
    expect(await storage.exists(from)).toBe(false);
    await fs.rm(shm, { recursive: true, force: true });
  });

  it('keeps the source when the copy does not match the hash it should have', async (context) => {
    const shm = await fs.mkdtemp('/dev/shm/cf-').catch(() => undefined);
    if (!shm || (await fs.stat(shm)).dev === (await fs.stat(os.tmpdir())).dev)
      return context.skip('no second filesystem here: /dev/shm is missing or on the same device as the temp folder');
    const from = path.join(shm, 'source.bin');
    await fs.writeFile(from, 'content');
    const destDir = path.join(await tempRoot(), 'dest');
    await expect(storage.moveFile(from, path.join(destDir, 'moved.bin'), '0'.repeat(64))).rejects.toThrow(
      /does not match/,
    );
    expect(await fs.readFile(from, 'utf8')).toBe('content');
    expect(await fs.readdir(destDir)).toEqual([]);
    await fs.rm(shm, { recursive: true, force: true });
  });

  it('writes a new file under a free name, and removes stale temporary files', async () => {
    const dir = await tempRoot();
    await fs.writeFile(path.join(dir, 'a.csv'), 'first');
    await fs.writeFile(path.join(dir, 'a-2.csv'), 'second');
    const written = await Promise.all([1, 2, 3].map((n) => storage.writeNewFile(path.join(dir, 'a.csv'), `new ${n}`)));
    expect(written.map((file) => path.basename(file)).sort()).toEqual(['a-3.csv', 'a-4.csv', 'a-5.csv']);
    expect(await fs.readFile(path.join(dir, 'a.csv'), 'utf8')).toBe('first');
    await fs.mkdir(path.join(dir, 'sub'));
    await fs.writeFile(path.join(dir, 'sub', `${TEMP_PREFIX}1234-x.mp4`), '');
    expect(await storage.removeStaleTemps(dir)).toBe(1);
    expect(await fs.readdir(path.join(dir, 'sub'))).toEqual([]);
  });

  it('never moves a file over another, and leaves both where they were', async () => {
    const dir = await tempRoot();
    await fs.writeFile(path.join(dir, 'source.mp4'), 'the input');
    await fs.writeFile(path.join(dir, 'taken.mp4'), 'someone else');
    await expect(storage.moveFile(path.join(dir, 'source.mp4'), path.join(dir, 'taken.mp4'))).rejects.toThrow(
      DestinationTakenError,
    );
    expect(await fs.readFile(path.join(dir, 'source.mp4'), 'utf8')).toBe('the input');
    expect(await fs.readFile(path.join(dir, 'taken.mp4'), 'utf8')).toBe('someone else');
  });

  it('finishes a move cut short between its link and its unlink', async () => {
    const dir = await tempRoot();
    await fs.writeFile(path.join(dir, 'source.mp4'), 'the input');
    await fs.mkdir(path.join(dir, 'out'));
    await fs.link(path.join(dir, 'source.mp4'), path.join(dir, 'out', 'moved.mp4'));
    await storage.moveFile(path.join(dir, 'source.mp4'), path.join(dir, 'out', 'moved.mp4'));
    expect(await fs.readdir(dir)).toEqual(['out']);
    expect(await fs.readFile(path.join(dir, 'out', 'moved.mp4'), 'utf8')).toBe('the input');
  });

  it('across devices, refuses a name another file holds and takes over an identical copy of an earlier try', async (context) => {
    const shm = await fs.mkdtemp('/dev/shm/cf-').catch(() => undefined);
    if (!shm || (await fs.stat(shm)).dev === (await fs.stat(os.tmpdir())).dev)
      return context.skip('no second filesystem here: /dev/shm is missing or on the same device as the temp folder');
    const from = path.join(shm, 'source.bin');
    await fs.writeFile(from, 'the input');
    const dest = path.join(await tempRoot(), 'moved.bin');
    await fs.writeFile(dest, 'someone else');
    await expect(storage.moveFile(from, dest)).rejects.toThrow(DestinationTakenError);
    expect(await fs.readFile(from, 'utf8')).toBe('the input');
    await fs.writeFile(dest, 'the input');
    await storage.moveFile(from, dest);
    expect(await storage.exists(from)).toBe(false);
    expect(await fs.readFile(dest, 'utf8')).toBe('the input');
    expect(await fs.readdir(path.dirname(dest))).toEqual(['moved.bin']);
    await fs.rm(shm, { recursive: true, force: true });
  });
});

// Disk health: whether a folder takes writes now, and how much room is left on its disk.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncPath } from './durable-write.js';
import { errorCode } from './errors.js';
import { tempPathFor } from './temps.js';

/** Throws the system's error (EACCES, ENOTDIR…) unless `dir` is a folder this process can write to. */
export async function ensureWritableDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.access(dir, fs.constants.W_OK);
  if (!(await fs.stat(dir)).isDirectory())
    throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
}

/**
 * Whether `dir` takes a write now: a small file is written, flushed and removed, and the free
 * space read. `full` when less than `minFreeBytes` is left (or the write ran out of space),
 * `refused` when the write is not allowed.
 */
export async function diskState(dir: string, minFreeBytes = 0): Promise<'ok' | 'full' | 'refused'> {
  const probe = tempPathFor(path.join(dir, 'write-check'));
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(probe, 'creative-flow checks that this folder takes writes');
    await fsyncPath(probe);
    const { bavail, bsize } = await fs.statfs(dir);
    return bavail * bsize >= minFreeBytes ? 'ok' : 'full';
  } catch (error) {
    const code = errorCode(error);
    return code === 'ENOSPC' || code === 'EDQUOT' ? 'full' : 'refused';
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined);
  }
}

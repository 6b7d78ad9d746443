// What is at a path, without reading what a file holds: its size and times, its permissions, a
// folder's names, where a symbolic link points, whether two paths are one file. A missing entry
// is an answer (undefined, false, none), never an error.
import { accessSync, constants, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errorCode, isMissing } from './errors.js';

export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
}

/** A regular file's size and mtime, following links; undefined for a missing path or anything but a file. */
export async function stat(file: string): Promise<FileStat | undefined> {
  try {
    const stats = await fs.stat(file);
    return stats.isFile() ? { size: stats.size, mtimeMs: stats.mtimeMs } : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** A file's permission bits (`0o600`), or undefined when there is none: who else may read a credential. */
export async function permissions(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).mode & 0o777;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * The entry itself, never what a symbolic link points to: a regular file's size and mtime, or a
 * link's own. The intake waits on this, so a link is taken (and set aside) without its target
 * being looked at, and a link to a folder is not mistaken for a missing file.
 */
export async function entryStat(file: string): Promise<FileStat | undefined> {
  try {
    const stats = await fs.lstat(file);
    return stats.isFile() || stats.isSymbolicLink() ? { size: stats.size, mtimeMs: stats.mtimeMs } : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Whether anything is at the path (a dangling link counts). */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/** Names in a folder (not recursive); a missing folder has none. A path that is not a folder is an error. */
export async function list(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
}

/** Every regular file below `dir`, and every symbolic link (so a link dropped there is seen and set aside), as absolute paths; a missing folder has none. */
export async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The folder's canonical path, links resolved: where a watcher that follows no link must start. */
export async function realPath(dir: string): Promise<string> {
  return fs.realpath(dir);
}

/** Whether `file` is a regular file this process may execute (a tool's binary). */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where a symbolic link points; undefined for anything that is not one (or is missing). */
export async function linkTarget(file: string): Promise<string | undefined> {
  try {
    return (await fs.lstat(file)).isSymbolicLink() ? await fs.readlink(file) : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * The first symbolic link on the way from `base` down to `file` (`file` itself included, `base`
 * and what lies above it not): a link to a folder makes every path through it someone else's
 * file, so each component is checked, not only the last. Undefined when there is none.
 */
export async function linkOnPath(
  base: string,
  file: string,
): Promise<{ readonly path: string; readonly target: string } | undefined> {
  const parts = path
    .relative(base, file)
    .split(path.sep)
    .filter((part) => part !== '' && part !== '.');
  let current = base;
  for (const part of parts) {
    current = path.join(current, part);
    const target = await linkTarget(current);
    if (target !== undefined) return { path: current, target };
  }
  return undefined;
}

/** Whether two paths are the same file (one inode), as a hard link makes them. */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([fs.stat(a).catch(() => undefined), fs.stat(b).catch(() => undefined)]);
  return first !== undefined && second !== undefined && first.dev === second.dev && first.ino === second.ino;
}

/** Whether two paths are on one device, where a hard link or a rename can join them. */
export async function sameDevice(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([fs.stat(a), fs.stat(b)]);
  return first.dev === second.dev;
}

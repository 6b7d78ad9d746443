// Taking a name no other file holds, and giving one up only while it is still ours: the file is
// written under a temporary name, flushed, and hard-linked into place (which fails when the name
// is taken), or, where there are no hard links, created exclusively.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncPath } from './durable-write.js';
import { errorCode, isMissing } from './errors.js';
import { ensureDir, remove } from './folders.js';
import { readText } from './read.js';
import { tempPathFor } from './temps.js';

/** Errors of `link` on filesystems without hard links (FAT, some network shares). */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * A hard link from `existing` to `created` (EEXIST when taken); false, with nothing done, on a
 * filesystem without hard links. The storage facade passes its own, which a test overrides.
 */
export type Link = (existing: string, created: string) => Promise<boolean>;

/**
 * A hard link from `existing` to `created` (EEXIST when taken); false, with nothing done, on a
 * filesystem without hard links (exFAT, FAT, SMB without unix extensions), whose callers fall
 * back to an exclusive create.
 */
export async function linkUnlessUnsupported(existing: string, created: string): Promise<boolean> {
  try {
    await fs.link(existing, created);
    return true;
  } catch (error) {
    if (LINK_UNSUPPORTED.has(errorCode(error))) return false;
    throw error;
  }
}

/**
 * Creates `file` with `data` where there are no hard links: `O_CREAT | O_EXCL` takes the name (EEXIST
 * when taken), then the data is written and flushed. A reader may see it empty for that moment;
 * the lock treats a young unreadable file as held.
 */
async function writeExclusive(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } catch (error) {
    await handle.close();
    await fs.rm(file, { force: true });
    throw error;
  }
  await handle.close();
}

/**
 * Creates `file` with `content`, failing with EEXIST when it is already there. The content is
 * written first and linked into place, so nobody ever sees the file empty or half written.
 */
export async function createExclusive(
  file: string,
  content: string,
  link: Link = linkUnlessUnsupported,
): Promise<void> {
  const temp = tempPathFor(file);
  try {
    await fs.writeFile(temp, content);
    await fsyncPath(temp);
    if (!(await link(temp, file))) await writeExclusive(file, content);
    await fsyncPath(path.dirname(file));
  } finally {
    await remove(temp);
  }
}

/**
 * Removes `file` only if it still holds `expected`: it is first renamed to a private name, so a
 * file that replaced it meanwhile is put back instead of removed. True when it was removed.
 */
export async function removeIfUnchanged(
  file: string,
  expected: string,
  link: Link = linkUnlessUnsupported,
): Promise<boolean> {
  const aside = tempPathFor(file);
  try {
    await fs.rename(file, aside);
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
  if ((await readText(aside)) === expected) {
    await remove(aside);
    return true;
  }
  // Put back, never over a file that took the name meanwhile.
  const text = await readText(aside);
  const putBack = async (): Promise<void> => {
    if (!(await link(aside, file)) && text !== undefined) await writeExclusive(file, text);
  };
  await putBack().catch(() => undefined);
  await remove(aside);
  return false;
}

/**
 * `dir/name`, then `name-2`, `name-3`… for a caller to try in turn: the names are only
 * candidates, each claimed atomically by the caller (an exclusive create, a link).
 */
export function* candidateNames(dir: string, name: string): Generator<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n += 1) yield path.join(dir, n === 1 ? name : `${stem}-${n}${ext}`);
}

/** Writes a new file at `preferred`, or the first free name after it ({@link candidateNames}); returns the path it took. */
export async function writeNewFile(
  preferred: string,
  data: string | Uint8Array,
  link: Link = linkUnlessUnsupported,
): Promise<string> {
  const dir = path.dirname(preferred);
  await ensureDir(dir);
  for (const candidate of candidateNames(dir, path.basename(preferred))) {
    const temp = tempPathFor(candidate);
    try {
      await fs.writeFile(temp, data);
      await fsyncPath(temp);
      if (!(await link(temp, candidate))) await writeExclusive(candidate, data);
      await fsyncPath(dir);
      return candidate;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    } finally {
      await remove(temp);
    }
  }
  throw new Error('unreachable');
}

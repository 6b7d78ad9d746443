// Durable writing: every write is on disk before it becomes visible. A whole file is written to a
// temporary name, flushed, renamed, and its folder flushed; an append is flushed before it returns.
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errorCode } from './errors.js';
import { remove } from './folders.js';
import { tempPathFor } from './temps.js';

/** Who may read a file we write: everyone (the default umask), or its owner only (credentials, machine state). */
export interface WriteOptions {
  /** File mode, such as 0o600 for a credential. */
  readonly mode?: number;
}

/** Flushes a file's data, or a folder's entries (so a rename survives a power cut), to disk. */
export async function fsyncPath(target: string): Promise<void> {
  const handle = await fs.open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates `file` through `create`, making its folder only when the first try finds it missing: the
 * folders nearly always exist, and a mkdir before every write of the database costs more than
 * the write.
 */
async function inFolderMadeOnDemand<T>(file: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    await fs.mkdir(path.dirname(file), { recursive: true });
    return create();
  }
}

/**
 * Appends to a file, flushed to disk before it returns: for journals. `mustExist` for a file whose
 * first line says what follows (a segment): one that went (moved away by hand) is an error, not
 * a new file of lines without it.
 */
export async function appendDurable(file: string, text: string, options: { mustExist?: boolean } = {}): Promise<void> {
  const handle = await fs.open(file, options.mustExist ? constants.O_WRONLY | constants.O_APPEND : 'a');
  try {
    // writeFile writes it all; a single write may write part of it (a full disk) without failing.
    await handle.writeFile(text);
    // The data and the new size, which is all a read needs (the times are left to the kernel).
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * A file that can be made again from what it was made of: written under a temporary name and
 * renamed, so it is read whole or not at all, without the flush to disk (a cut leaves it out of
 * date or missing, and its reader checks it).
 */
export async function writeRebuildable(file: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(file);
  try {
    await inFolderMadeOnDemand(temp, () => fs.writeFile(temp, data));
    await fs.rename(temp, file);
  } catch (error) {
    await remove(temp);
    throw error;
  }
}

/** Flushes a finished temporary file to disk and renames it into place. */
export async function commitTemp(tempPath: string, finalPath: string): Promise<void> {
  await fsyncPath(tempPath);
  await fs.rename(tempPath, finalPath);
  await fsyncPath(path.dirname(finalPath));
}

/** Writes a whole file, for content produced in pieces, so that readers see the old or the new content, never a mix: memory holds a piece, not the file. */
export async function writeFileAtomicFrom(
  finalPath: string,
  produce: (append: (chunk: string | Uint8Array) => Promise<void>) => Promise<void>,
  options: WriteOptions = {},
): Promise<void> {
  const temp = tempPathFor(finalPath);
  try {
    // The mode is set when the file is created: a credential is never readable by others, even briefly.
    const handle = await inFolderMadeOnDemand(temp, () => fs.open(temp, 'w', options.mode));
    try {
      await produce(async (chunk) => {
        // From where the last chunk ended, all of it (a single write may write part of it).
        await handle.writeFile(chunk);
      });
      // Flushed through the handle that wrote it: the data and the size, which is all a read needs.
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, finalPath);
    await fsyncPath(path.dirname(finalPath));
  } catch (error) {
    await remove(temp);
    throw error;
  }
}

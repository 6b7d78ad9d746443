// Reading what a file holds: a range of it, all of it, or its lines in batches. A missing file
// is undefined (or has no lines), never an error; any other failure is the system's error.
import { createReadStream, openAsBlob as blobOf } from 'node:fs';
import fs from 'node:fs/promises';
import { isMissing } from './errors.js';

/** The file's first bytes and its size, read through one handle: the two describe the same file. */
export async function readHeadAndSize(file: string, bytes: number): Promise<{ head: Buffer; size: number }> {
  const handle = await fs.open(file, 'r');
  try {
    const [{ size }, { bytesRead, buffer }] = await Promise.all([
      handle.stat(),
      handle.read(Buffer.alloc(bytes), 0, bytes, 0),
    ]);
    return { head: buffer.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}

/** `bytes` bytes of the file from `position` on (fewer where it ends sooner). */
export async function readRange(file: string, position: number, bytes: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(bytes), 0, bytes, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The file as a Blob read lazily from disk, for an HTTP upload that does not hold a 50 MB video in memory. */
export async function openAsBlob(file: string, type?: string): Promise<Blob> {
  return blobOf(file, type ? { type } : {});
}

/** The whole file's bytes; undefined when it does not exist. */
export async function readBytes(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * The whole file, read into `buffer` when it fits (else into a new one): for many files read one
 * after another, each used before the next is read, without a fresh allocation each. Undefined
 * when the file does not exist.
 */
export async function readReusing(file: string, buffer: Buffer): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const target = size <= buffer.length ? buffer : Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(target, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return target.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/** The whole file as UTF-8 text; undefined when it does not exist. */
export async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * The file's lines as UTF-8, in batches (those of each megabyte read), so memory holds a batch,
 * not the file; a missing file has none.
 */
export async function* readLines(file: string): AsyncGenerator<string[]> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      yield lines;
    }
  } catch (error) {
    if (!isMissing(error)) throw error;
  } finally {
    stream.destroy();
  }
  if (rest !== '') yield [rest];
}

// Our own temporary files: the names they take beside the file they become, the scratch files
// only this process reads, and the removal of those a crash left behind.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from './entries.js';
import { remove } from './folders.js';

/** Prefix of our own temporary files: a dotfile, so watchers and people's file browsers skip it. */
export const TEMP_PREFIX = '.cf-tmp-';

/** A path beside `finalPath`, on the same device, for writing before the rename. */
export function tempPathFor(finalPath: string): string {
  return path.join(
    path.dirname(finalPath),
    `${TEMP_PREFIX}${randomBytes(4).toString('hex')}-${path.basename(finalPath)}`,
  );
}

/** A plain write, for throwaway files only this process reads (nothing relies on them surviving). */
export async function writeScratchFile(file: string, data: Uint8Array): Promise<void> {
  await fs.writeFile(file, data);
}

/** Puts one of our scratch files in place of another (a rename over it): for our temporary files only, never a person's. */
export async function replaceScratchFile(from: string, to: string): Promise<void> {
  await fs.rename(from, to);
}

/** Removes temporary files a crash left behind below `dir`. */
export async function removeStaleTemps(dir: string): Promise<number> {
  const stale = (await listFiles(dir)).filter((file) => path.basename(file).startsWith(TEMP_PREFIX));
  await Promise.all(stale.map((file) => remove(file)));
  return stale.length;
}

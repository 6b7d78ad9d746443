// Folders made and removed, and a file removed: the plain operations, which need no temporary
// name or flush to be safe.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Creates the folder and its parents; `mode` applies to the folders it creates (0o700: owner only). */
export async function ensureDir(dir: string, mode?: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true, ...(mode === undefined ? {} : { mode }) });
  if (mode !== undefined) await fs.chmod(dir, mode);
}

/** A new empty folder under the system's temporary folder. */
export async function makeTempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Removes a folder and everything in it. */
export async function removeTree(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** Removes a file; one already gone is no error. */
export async function remove(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

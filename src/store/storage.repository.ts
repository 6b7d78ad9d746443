import * as claim from './fs/claim.js';
import * as diskHealth from './fs/disk-health.js';
import * as durable from './fs/durable-write.js';
import type { WriteOptions } from './fs/durable-write.js';
import * as entries from './fs/entries.js';
import type { FileStat } from './fs/entries.js';
import * as folders from './fs/folders.js';
import * as hash from './fs/hash.js';
import * as read from './fs/read.js';
import * as safeMove from './fs/safe-move.js';
import * as temps from './fs/temps.js';

export { DestinationTakenError } from './fs/safe-move.js';
export { TEMP_PREFIX } from './fs/temps.js';
export type { FileStat, WriteOptions };

/**
 * The filesystem, as the rest of the code sees it: the one class it is reached through, and a
 * facade over the modules of `fs/` that touch it (reading, hashing, durable writes, claiming a
 * name, crash-safe moves, disk health, temporary files). Every write is durable before it becomes
 * visible: written to a temporary name, flushed, renamed, and the folder flushed.
 */
export class StorageRepository {
  /** A hard link through {@link linkUnlessUnsupported}: what the claiming and moving modules link with, so an override reaches them. */
  private readonly link: claim.Link = (existing, created) => this.linkUnlessUnsupported(existing, created);

  async stat(file: string): Promise<FileStat | undefined> {
    return entries.stat(file);
  }

  /** A file's permission bits (`0o600`), or undefined when there is none: who else may read a credential. */
  async permissions(file: string): Promise<number | undefined> {
    return entries.permissions(file);
  }

  /** The entry itself, never what a symbolic link points to ({@link entries.entryStat}). */
  async entryStat(file: string): Promise<FileStat | undefined> {
    return entries.entryStat(file);
  }

  /** SHA-256 of a file, streamed: memory stays flat whatever the file's size. */
  async hashFile(file: string, signal?: AbortSignal): Promise<string> {
    return hash.hashFile(file, signal);
  }

  /** SHA-256 and MD5 of a file in one streamed read (MD5 for lists kept by other tools). */
  async hashFileTwice(file: string, signal?: AbortSignal): Promise<{ sha256: string; md5: string }> {
    return hash.hashFileTwice(file, signal);
  }

  /** The file's first bytes and its size, read through one handle: the two describe the same file. */
  async readHeadAndSize(file: string, bytes: number): Promise<{ head: Buffer; size: number }> {
    return read.readHeadAndSize(file, bytes);
  }

  /** `bytes` bytes of the file from `position` on (fewer where it ends sooner). */
  async readRange(file: string, position: number, bytes: number): Promise<Buffer> {
    return read.readRange(file, position, bytes);
  }

  async readHead(file: string, bytes: number): Promise<Buffer> {
    return this.readRange(file, 0, bytes);
  }

  /** The file as a Blob read lazily from disk, for an HTTP upload that does not hold a 50 MB video in memory. */
  async openAsBlob(file: string, type?: string): Promise<Blob> {
    return read.openAsBlob(file, type);
  }

  /** The whole file's bytes; undefined when it does not exist. */
  async readBytes(file: string): Promise<Buffer | undefined> {
    return read.readBytes(file);
  }

  /** The whole file, read into `buffer` when it fits ({@link read.readReusing}); undefined when the file does not exist. */
  async readReusing(file: string, buffer: Buffer): Promise<Buffer | undefined> {
    return read.readReusing(file, buffer);
  }

  /** The whole file as UTF-8 text; undefined when it does not exist. */
  async readText(file: string): Promise<string | undefined> {
    return read.readText(file);
  }

  /** The file's lines as UTF-8, in batches of a megabyte's lines; a missing file has none. */
  readLines(file: string): AsyncGenerator<string[]> {
    return read.readLines(file);
  }

  /** Names in a folder (not recursive); a missing folder has none. A path that is not a folder is an error. */
  async list(dir: string): Promise<string[]> {
    return entries.list(dir);
  }

  /** Creates the folder and its parents; `mode` applies to the folders it creates (0o700: owner only). */
  async ensureDir(dir: string, mode?: number): Promise<void> {
    return folders.ensureDir(dir, mode);
  }

  /** Throws the system's error (EACCES, ENOTDIR…) unless `dir` is a folder this process can write to. */
  async ensureWritableDir(dir: string): Promise<void> {
    return diskHealth.ensureWritableDir(dir);
  }

  /** Whether `dir` takes a write now, and has `minFreeBytes` left ({@link diskHealth.diskState}). */
  async diskState(dir: string, minFreeBytes = 0): Promise<'ok' | 'full' | 'refused'> {
    return diskHealth.diskState(dir, minFreeBytes);
  }

  /** A new empty folder under the system's temporary folder. */
  async makeTempDir(prefix: string): Promise<string> {
    return folders.makeTempDir(prefix);
  }

  /** Removes a folder and everything in it. */
  async removeTree(dir: string): Promise<void> {
    return folders.removeTree(dir);
  }

  /** Appends to a file, flushed to disk before it returns: for journals ({@link durable.appendDurable}). */
  async appendDurable(file: string, text: string, options: { mustExist?: boolean } = {}): Promise<void> {
    return durable.appendDurable(file, text, options);
  }

  /** A file that can be made again from what it was made of: renamed into place, not flushed ({@link durable.writeRebuildable}). */
  async writeRebuildable(file: string, data: string | Uint8Array): Promise<void> {
    return durable.writeRebuildable(file, data);
  }

  /** A plain write, for throwaway files only this process reads (nothing relies on them surviving). */
  async writeScratchFile(file: string, data: Uint8Array): Promise<void> {
    return temps.writeScratchFile(file, data);
  }

  /** Puts one of our scratch files in place of another (a rename over it): for our temporary files only, never a person's. */
  async replaceScratchFile(from: string, to: string): Promise<void> {
    return temps.replaceScratchFile(from, to);
  }

  /** Creates `file` with `content`, failing with EEXIST when it is already there; never seen empty or half written. */
  async createExclusive(file: string, content: string): Promise<void> {
    return claim.createExclusive(file, content, this.link);
  }

  /**
   * A hard link from `existing` to `created` (EEXIST when taken); false, with nothing done, on a
   * filesystem without hard links (exFAT, FAT, SMB without unix extensions), whose callers fall
   * back to an exclusive create. A test overrides it to be such a filesystem.
   */
  protected async linkUnlessUnsupported(existing: string, created: string): Promise<boolean> {
    return claim.linkUnlessUnsupported(existing, created);
  }

  /** Removes `file` only if it still holds `expected`, else puts back what took its place; true when it was removed. */
  async removeIfUnchanged(file: string, expected: string): Promise<boolean> {
    return claim.removeIfUnchanged(file, expected, this.link);
  }

  /** Whether `file` is a regular file this process may execute (a tool's binary). */
  isExecutable(file: string): boolean {
    return entries.isExecutable(file);
  }

  /** A path beside `finalPath`, on the same device, for writing before the rename. */
  tempPathFor(finalPath: string): string {
    return temps.tempPathFor(finalPath);
  }

  /** Flushes a finished temporary file to disk and renames it into place. */
  async commitTemp(tempPath: string, finalPath: string): Promise<void> {
    return durable.commitTemp(tempPath, finalPath);
  }

  /** Writes a whole file so that readers see the old or the new content, never a mix. */
  async writeFileAtomic(finalPath: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
    await this.writeFileAtomicFrom(finalPath, (append) => append(data), options);
  }

  /** The same, for content produced in pieces: memory holds a piece, not the file. */
  async writeFileAtomicFrom(
    finalPath: string,
    produce: (append: (chunk: string | Uint8Array) => Promise<void>) => Promise<void>,
    options: WriteOptions = {},
  ): Promise<void> {
    return durable.writeFileAtomicFrom(finalPath, produce, options);
  }

  /**
   * Moves a file, never over another, and never losing it: hard-linked, or copied, flushed and
   * checked by hash, before the source goes; a move cut short is finished when tried again
   * ({@link safeMove.moveFile}). Throws {@link DestinationTakenError} when another file holds the name.
   */
  async moveFile(from: string, to: string, expectedHash?: string): Promise<void> {
    return safeMove.moveFile(from, to, expectedHash, this.link);
  }

  /** Whether two paths are the same file (one inode), as a hard link makes them. */
  async sameFile(a: string, b: string): Promise<boolean> {
    return entries.sameFile(a, b);
  }

  /** `dir/name`, then `name-2`, `name-3`…: candidates only, each claimed atomically by the caller. */
  candidateNames(dir: string, name: string): Generator<string> {
    return claim.candidateNames(dir, name);
  }

  /** Writes a new file at `preferred`, or the first free name after it ({@link candidateNames}); returns the path it took. */
  async writeNewFile(preferred: string, data: string | Uint8Array): Promise<string> {
    return claim.writeNewFile(preferred, data, this.link);
  }

  async exists(file: string): Promise<boolean> {
    return entries.exists(file);
  }

  async remove(file: string): Promise<void> {
    return folders.remove(file);
  }

  /** Where a symbolic link points; undefined for anything that is not one (or is missing). */
  async linkTarget(file: string): Promise<string | undefined> {
    return entries.linkTarget(file);
  }

  /** The first symbolic link on the way from `base` down to `file`, `base` itself not counted ({@link entries.linkOnPath}). */
  async linkOnPath(
    base: string,
    file: string,
  ): Promise<{ readonly path: string; readonly target: string } | undefined> {
    return entries.linkOnPath(base, file);
  }

  /** The folder's canonical path, links resolved: where a watcher that follows no link must start. */
  async realPath(dir: string): Promise<string> {
    return entries.realPath(dir);
  }

  /** Every regular file below `dir`, and every symbolic link, as absolute paths; a missing folder has none. */
  async listFiles(dir: string): Promise<string[]> {
    return entries.listFiles(dir);
  }

  /** Removes temporary files a crash left behind below `dir`. */
  async removeStaleTemps(dir: string): Promise<number> {
    return temps.removeStaleTemps(dir);
  }
}

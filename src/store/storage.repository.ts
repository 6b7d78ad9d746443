import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, createReadStream, openAsBlob, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Prefix of our own temporary files: a dotfile, so watchers and people's file browsers skip it. */
export const TEMP_PREFIX = '.cf-tmp-';

/** Errors of `link` on filesystems without hard links (FAT, some network shares). */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** A move's destination is held by another file: nothing was replaced, the source is where it was. */
export class DestinationTakenError extends Error {
  constructor(readonly destination: string) {
    super(`${destination} already exists and holds another file; it was not replaced`);
    this.name = 'DestinationTakenError';
  }
}

export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
}

/** Who may read a file we write: everyone (the default umask), or its owner only (credentials, machine state). */
export interface WriteOptions {
  /** File mode, such as 0o600 for a credential. */
  readonly mode?: number;
}

/**
 * The filesystem, and the only module that touches it. Every write is durable before it becomes
 * visible: written to a temporary name, flushed, renamed, and the folder flushed.
 */
export class StorageRepository {
  async stat(file: string): Promise<FileStat | undefined> {
    try {
      const stats = await fs.stat(file);
      return stats.isFile() ? { size: stats.size, mtimeMs: stats.mtimeMs } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** A file's permission bits (`0o600`), or undefined when there is none: who else may read a credential. */
  async permissions(file: string): Promise<number | undefined> {
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
  async entryStat(file: string): Promise<FileStat | undefined> {
    try {
      const stats = await fs.lstat(file);
      return stats.isFile() || stats.isSymbolicLink() ? { size: stats.size, mtimeMs: stats.mtimeMs } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** SHA-256 of a file, streamed: memory stays flat whatever the file's size. */
  async hashFile(file: string, signal?: AbortSignal): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash, signal ? { signal } : {});
    return hash.digest('hex');
  }

  /** SHA-256 and MD5 of a file in one streamed read (MD5 for lists kept by other tools). */
  async hashFileTwice(file: string, signal?: AbortSignal): Promise<{ sha256: string; md5: string }> {
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          sha256.update(chunk);
          md5.update(chunk);
        }
      },
      signal ? { signal } : {},
    );
    return { sha256: sha256.digest('hex'), md5: md5.digest('hex') };
  }

  /** The file's first bytes and its size, read through one handle: the two describe the same file. */
  async readHeadAndSize(file: string, bytes: number): Promise<{ head: Buffer; size: number }> {
    const handle = await fs.open(file, 'r');
    try {
      const [{ size }, { bytesRead, buffer }] = await Promise.all([handle.stat(), handle.read(Buffer.alloc(bytes), 0, bytes, 0)]);
      return { head: buffer.subarray(0, bytesRead), size };
    } finally {
      await handle.close();
    }
  }

  /** `bytes` bytes of the file from `position` on (fewer where it ends sooner). */
  async readRange(file: string, position: number, bytes: number): Promise<Buffer> {
    const handle = await fs.open(file, 'r');
    try {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(bytes), 0, bytes, position);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async readHead(file: string, bytes: number): Promise<Buffer> {
    return this.readRange(file, 0, bytes);
  }

  /** The file as a Blob read lazily from disk, for an HTTP upload that does not hold a 50 MB video in memory. */
  async openAsBlob(file: string, type?: string): Promise<Blob> {
    return openAsBlob(file, type ? { type } : {});
  }

  /** The whole file's bytes; undefined when it does not exist. */
  async readBytes(file: string): Promise<Buffer | undefined> {
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
  async readReusing(file: string, buffer: Buffer): Promise<Buffer | undefined> {
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
  async readText(file: string): Promise<string | undefined> {
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
  async *readLines(file: string): AsyncGenerator<string[]> {
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

  /** Names in a folder (not recursive); a missing folder has none. A path that is not a folder is an error. */
  async list(dir: string): Promise<string[]> {
    try {
      return await fs.readdir(dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  /** Creates the folder and its parents; `mode` applies to the folders it creates (0o700: owner only). */
  async ensureDir(dir: string, mode?: number): Promise<void> {
    await fs.mkdir(dir, { recursive: true, ...(mode === undefined ? {} : { mode }) });
    if (mode !== undefined) await fs.chmod(dir, mode);
  }

  /** Throws the system's error (EACCES, ENOTDIR…) unless `dir` is a folder this process can write to. */
  async ensureWritableDir(dir: string): Promise<void> {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fs.constants.W_OK);
    if (!(await fs.stat(dir)).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
  }

  /**
   * Whether `dir` takes a write now: a small file is written, flushed and removed, and the free
   * space read. `full` when less than `minFreeBytes` is left (or the write ran out of space),
   * `refused` when the write is not allowed.
   */
  async diskState(dir: string, minFreeBytes = 0): Promise<'ok' | 'full' | 'refused'> {
    const probe = this.tempPathFor(path.join(dir, 'write-check'));
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

  /** A new empty folder under the system's temporary folder. */
  async makeTempDir(prefix: string): Promise<string> {
    return fs.mkdtemp(path.join(os.tmpdir(), prefix));
  }

  /** Removes a folder and everything in it. */
  async removeTree(dir: string): Promise<void> {
    await fs.rm(dir, { recursive: true, force: true });
  }

  /**
   * Appends to a file, flushed to disk before it returns: for journals. `mustExist` for a file whose
   * first line says what follows (a segment): one that went (moved away by hand) is an error, not
   * a new file of lines without it.
   */
  async appendDurable(file: string, text: string, options: { mustExist?: boolean } = {}): Promise<void> {
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
  async writeRebuildable(file: string, data: string | Uint8Array): Promise<void> {
    const temp = this.tempPathFor(file);
    try {
      await inFolderMadeOnDemand(temp, () => fs.writeFile(temp, data));
      await fs.rename(temp, file);
    } catch (error) {
      await this.remove(temp);
      throw error;
    }
  }

  /** A plain write, for throwaway files only this process reads (nothing relies on them surviving). */
  async writeScratchFile(file: string, data: Uint8Array): Promise<void> {
    await fs.writeFile(file, data);
  }

  /** Puts one of our scratch files in place of another (a rename over it): for our temporary files only, never a person's. */
  async replaceScratchFile(from: string, to: string): Promise<void> {
    await fs.rename(from, to);
  }

  /**
   * Creates `file` with `content`, failing with EEXIST when it is already there. The content is
   * written first and linked into place, so nobody ever sees the file empty or half written.
   */
  async createExclusive(file: string, content: string): Promise<void> {
    const temp = this.tempPathFor(file);
    try {
      await fs.writeFile(temp, content);
      await fsyncPath(temp);
      if (!(await this.linkUnlessUnsupported(temp, file))) await writeExclusive(file, content);
      await fsyncPath(path.dirname(file));
    } finally {
      await this.remove(temp);
    }
  }

  /**
   * A hard link from `existing` to `created` (EEXIST when taken); false, with nothing done, on a
   * filesystem without hard links (exFAT, FAT, SMB without unix extensions), whose callers fall
   * back to an exclusive create. A test overrides it to be such a filesystem.
   */
  protected async linkUnlessUnsupported(existing: string, created: string): Promise<boolean> {
    try {
      await fs.link(existing, created);
      return true;
    } catch (error) {
      if (LINK_UNSUPPORTED.has(errorCode(error))) return false;
      throw error;
    }
  }

  /**
   * Removes `file` only if it still holds `expected`: it is first renamed to a private name, so a
   * file that replaced it meanwhile is put back instead of removed. True when it was removed.
   */
  async removeIfUnchanged(file: string, expected: string): Promise<boolean> {
    const aside = this.tempPathFor(file);
    try {
      await fs.rename(file, aside);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    if ((await this.readText(aside)) === expected) {
      await this.remove(aside);
      return true;
    }
    // Put back, never over a file that took the name meanwhile.
    const text = await this.readText(aside);
    const putBack = async (): Promise<void> => {
      if (!(await this.linkUnlessUnsupported(aside, file)) && text !== undefined) await writeExclusive(file, text);
    };
    await putBack().catch(() => undefined);
    await this.remove(aside);
    return false;
  }

  /** Whether `file` is a regular file this process may execute (a tool's binary). */
  isExecutable(file: string): boolean {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  }

  /** A path beside `finalPath`, on the same device, for writing before the rename. */
  tempPathFor(finalPath: string): string {
    return path.join(path.dirname(finalPath), `${TEMP_PREFIX}${randomBytes(4).toString('hex')}-${path.basename(finalPath)}`);
  }

  /** Flushes a finished temporary file to disk and renames it into place. */
  async commitTemp(tempPath: string, finalPath: string): Promise<void> {
    await fsyncPath(tempPath);
    await fs.rename(tempPath, finalPath);
    await fsyncPath(path.dirname(finalPath));
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
    const temp = this.tempPathFor(finalPath);
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
      await this.remove(temp);
      throw error;
    }
  }

  /**
   * Moves a file, never over another: the destination is taken with a hard link, which fails when
   * the name exists, and the source is unlinked only once the link is on disk. A move cut short
   * by a crash is finished when tried again (the destination is then the source's own inode, or
   * an identical copy).
   * Across devices, or where hard links are not supported: copy to a temporary name, flush, compare
   * hashes, claim the name the same way, and only then unlink the source. At every moment at least
   * one good copy exists. Throws {@link DestinationTakenError} when another file holds the name.
   * A symbolic link moves as a link ({@link moveLink}): what it points to is never read.
   */
  async moveFile(from: string, to: string, expectedHash?: string): Promise<void> {
    await this.ensureDir(path.dirname(to));
    if ((await this.linkTarget(from)) !== undefined) return this.moveLink(from, to);
    try {
      if (!(await this.linkUnlessUnsupported(from, to))) await this.copyInto(from, to, expectedHash);
    } catch (error) {
      const code = errorCode(error);
      // link() reports a taken name before a cross-device link, so EEXIST may still call for a copy.
      if (code === 'EEXIST') {
        if (await this.sameFile(from, to)) {
          // A move cut short between its link and its unlink: finish it.
        } else if (await this.sameDevice(from, path.dirname(to))) {
          // An identical copy is an earlier try's (cut short after its copy): the source adds nothing.
          if ((await this.hashFile(to)) !== (expectedHash ?? (await this.hashFile(from)))) throw new DestinationTakenError(to);
        } else {
          await this.copyInto(from, to, expectedHash);
        }
      } else if (code === 'EXDEV') {
        await this.copyInto(from, to, expectedHash);
      } else {
        throw error;
      }
    }
    await fsyncPath(path.dirname(to));
    await fs.unlink(from);
    await fsyncPath(path.dirname(from));
  }

  /**
   * Moves a symbolic link as a link: the new link points where the old one did, and its target is
   * never opened, so a link to a secret leaves no copy of it, whatever the devices.
   */
  private async moveLink(from: string, to: string): Promise<void> {
    const target = await fs.readlink(from);
    try {
      await fs.symlink(target, to);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      // A move cut short between its new link and its unlink: the same link is ours to finish.
      if ((await this.linkTarget(to)) !== target) throw new DestinationTakenError(to);
    }
    await fsyncPath(path.dirname(to));
    await fs.unlink(from);
    await fsyncPath(path.dirname(from));
  }

  /** The copying half of {@link moveFile}: `to` holds a verified copy of `from` when it returns. */
  private async copyInto(from: string, to: string, expectedHash: string | undefined): Promise<void> {
    const sourceHash = expectedHash ?? (await this.hashFile(from));
    const temp = this.tempPathFor(to);
    try {
      await fs.copyFile(from, temp);
      const copied = await this.hashFile(temp);
      if (copied !== sourceHash) throw new Error(`copy of ${from} does not match its source (hash ${copied} ≠ ${sourceHash})`);
      await fsyncPath(temp);
      await this.claimWith(temp, to, sourceHash);
    } finally {
      await this.remove(temp);
    }
  }

  /** Gives `temp` the name `to` unless another file holds it; an identical copy there is an earlier try's. */
  private async claimWith(temp: string, to: string, hash: string): Promise<void> {
    try {
      if (await this.linkUnlessUnsupported(temp, to)) return;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      if ((await this.hashFile(to)) === hash) return;
      throw new DestinationTakenError(to);
    }
    // No hard links here: an exclusive create takes the name, then the copy replaces our own placeholder.
    try {
      await fs.writeFile(to, '', { flag: 'wx' });
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      if ((await this.hashFile(to)) === hash) return;
      throw new DestinationTakenError(to);
    }
    await fs.rename(temp, to);
  }

  private async sameDevice(a: string, b: string): Promise<boolean> {
    const [first, second] = await Promise.all([fs.stat(a), fs.stat(b)]);
    return first.dev === second.dev;
  }

  /** Whether two paths are the same file (one inode), as a hard link makes them. */
  async sameFile(a: string, b: string): Promise<boolean> {
    const [first, second] = await Promise.all([fs.stat(a).catch(() => undefined), fs.stat(b).catch(() => undefined)]);
    return first !== undefined && second !== undefined && first.dev === second.dev && first.ino === second.ino;
  }

  /**
   * `dir/name`, then `name-2`, `name-3`… for a caller to try in turn: the names are only
   * candidates, each claimed atomically by the caller (an exclusive create, a link).
   */
  *candidateNames(dir: string, name: string): Generator<string> {
    const ext = path.extname(name);
    const stem = name.slice(0, name.length - ext.length);
    for (let n = 1; ; n += 1) yield path.join(dir, n === 1 ? name : `${stem}-${n}${ext}`);
  }

  /** Writes a new file at `preferred`, or the first free name after it ({@link candidateNames}); returns the path it took. */
  async writeNewFile(preferred: string, data: string | Uint8Array): Promise<string> {
    const dir = path.dirname(preferred);
    await this.ensureDir(dir);
    for (const candidate of this.candidateNames(dir, path.basename(preferred))) {
      const temp = this.tempPathFor(candidate);
      try {
        await fs.writeFile(temp, data);
        await fsyncPath(temp);
        if (!(await this.linkUnlessUnsupported(temp, candidate))) await writeExclusive(candidate, data);
        await fsyncPath(dir);
        return candidate;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      } finally {
        await this.remove(temp);
      }
    }
    throw new Error('unreachable');
  }

  async exists(file: string): Promise<boolean> {
    try {
      await fs.lstat(file);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async remove(file: string): Promise<void> {
    await fs.rm(file, { force: true });
  }

  /** Where a symbolic link points; undefined for anything that is not one (or is missing). */
  async linkTarget(file: string): Promise<string | undefined> {
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
  async linkOnPath(base: string, file: string): Promise<{ readonly path: string; readonly target: string } | undefined> {
    const parts = path.relative(base, file).split(path.sep).filter((part) => part !== '' && part !== '.');
    let current = base;
    for (const part of parts) {
      current = path.join(current, part);
      const target = await this.linkTarget(current);
      if (target !== undefined) return { path: current, target };
    }
    return undefined;
  }

  /** The folder's canonical path, links resolved: where a watcher that follows no link must start. */
  async realPath(dir: string): Promise<string> {
    return fs.realpath(dir);
  }

  /** Every regular file below `dir`, and every symbolic link (so a link dropped there is seen and set aside), as absolute paths; a missing folder has none. */
  async listFiles(dir: string): Promise<string[]> {
    let entries;
    try {
      entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return entries.filter((entry) => entry.isFile() || entry.isSymbolicLink()).map((entry) => path.join(entry.parentPath, entry.name));
  }

  /** Removes temporary files a crash left behind below `dir`. */
  async removeStaleTemps(dir: string): Promise<number> {
    const stale = (await this.listFiles(dir)).filter((file) => path.basename(file).startsWith(TEMP_PREFIX));
    await Promise.all(stale.map((file) => this.remove(file)));
    return stale.length;
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

/** Flushes a file's data, or a folder's entries (so a rename survives a power cut), to disk. */
async function fsyncPath(target: string): Promise<void> {
  const handle = await fs.open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? '';
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

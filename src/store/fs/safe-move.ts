// Moving a file without ever losing it or writing over another: at every moment at least one good
// copy exists, and a move cut short by a crash is finished when tried again.
import fs from 'node:fs/promises';
import path from 'node:path';
import { linkUnlessUnsupported, type Link } from './claim.js';
import { fsyncPath } from './durable-write.js';
import { linkTarget, sameDevice, sameFile } from './entries.js';
import { errorCode } from './errors.js';
import { ensureDir, remove } from './folders.js';
import { hashFile } from './hash.js';
import { tempPathFor } from './temps.js';

/** A move's destination is held by another file: nothing was replaced, the source is where it was. */
export class DestinationTakenError extends Error {
  constructor(readonly destination: string) {
    super(`${destination} already exists and holds another file; it was not replaced`);
    this.name = 'DestinationTakenError';
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
export async function moveFile(
  from: string,
  to: string,
  expectedHash?: string,
  link: Link = linkUnlessUnsupported,
): Promise<void> {
  await ensureDir(path.dirname(to));
  if ((await linkTarget(from)) !== undefined) return moveLink(from, to);
  try {
    if (!(await link(from, to))) await copyInto(from, to, expectedHash, link);
  } catch (error) {
    const code = errorCode(error);
    // link() reports a taken name before a cross-device link, so EEXIST may still call for a copy.
    if (code === 'EEXIST') {
      if (await sameFile(from, to)) {
        // A move cut short between its link and its unlink: finish it.
      } else if (await sameDevice(from, path.dirname(to))) {
        // An identical copy is an earlier try's (cut short after its copy): the source adds nothing.
        if ((await hashFile(to)) !== (expectedHash ?? (await hashFile(from)))) throw new DestinationTakenError(to);
      } else {
        await copyInto(from, to, expectedHash, link);
      }
    } else if (code === 'EXDEV') {
      await copyInto(from, to, expectedHash, link);
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
async function moveLink(from: string, to: string): Promise<void> {
  const target = await fs.readlink(from);
  try {
    await fs.symlink(target, to);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    // A move cut short between its new link and its unlink: the same link is ours to finish.
    if ((await linkTarget(to)) !== target) throw new DestinationTakenError(to);
  }
  await fsyncPath(path.dirname(to));
  await fs.unlink(from);
  await fsyncPath(path.dirname(from));
}

/** The copying half of {@link moveFile}: `to` holds a verified copy of `from` when it returns. */
async function copyInto(from: string, to: string, expectedHash: string | undefined, link: Link): Promise<void> {
  const sourceHash = expectedHash ?? (await hashFile(from));
  const temp = tempPathFor(to);
  try {
    await fs.copyFile(from, temp);
    const copied = await hashFile(temp);
    if (copied !== sourceHash)
      throw new Error(`copy of ${from} does not match its source (hash ${copied} ≠ ${sourceHash})`);
    await fsyncPath(temp);
    await claimWith(temp, to, sourceHash, link);
  } finally {
    await remove(temp);
  }
}

/** Gives `temp` the name `to` unless another file holds it; an identical copy there is an earlier try's. */
async function claimWith(temp: string, to: string, hash: string, link: Link): Promise<void> {
  try {
    if (await link(temp, to)) return;
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    if ((await hashFile(to)) === hash) return;
    throw new DestinationTakenError(to);
  }
  // No hard links here: an exclusive create takes the name, then the copy replaces our own placeholder.
  try {
    await fs.writeFile(to, '', { flag: 'wx' });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    if ((await hashFile(to)) === hash) return;
    throw new DestinationTakenError(to);
  }
  await fs.rename(temp, to);
}

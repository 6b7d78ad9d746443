import path from 'node:path';
import { localDate } from '../core/dates.js';
import { fileName, nameWithin } from '../core/files.js';
import type { SetAsideKind } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { SourceChangedError } from '../core/errors.js';
import { DestinationTakenError, type StorageRepository } from '../store/storage.repository.js';
import type { StageContext } from './context.js';

/**
 * The longest name a file is set aside under, in bytes: room under the usual 255-byte limit for
 * `-99`, `.reason.txt` and the temporary prefix of the writes that make them.
 */
const SET_ASIDE_NAME_BYTES = 200;

/**
 * Moves a rejected or duplicate source to `archive/{rejected|duplicates}/{date}/`, with its reason
 * in a text file beside it, under a name no other file holds. The destination is recorded before
 * the move, and a crash at any step finishes the same move on restart.
 */
export async function setAside(
  record: CreativeRecord,
  kind: SetAsideKind,
  reason: string,
  ctx: StageContext,
  today = localDate(),
): Promise<CreativeRecord> {
  const note = [
    `${kind === 'rejected' ? 'Rejected' : 'Duplicate'}: ${reason}`,
    `File: ${record.source.path}`,
    `Set aside: ${new Date().toISOString()}`,
  ].join('\n');
  const file = ctx.layout.abs(record.source.path);
  // A link (or a file reached through a linked folder) is set aside as the link itself: its target
  // is someone else's, and is neither read nor moved.
  const link = await ctx.storage.linkOnPath(ctx.layout.inbox, file);
  const source = link?.path ?? file;
  const setAsideAs = (destination: string): CreativeRecord => ({
    ...record,
    setAside: { path: ctx.layout.rel(destination), reason },
  });
  const destination = await moveAside(ctx.storage, {
    source,
    // A restart after midnight finishes in the folder it planned, not today's.
    dir: record.setAside ? path.dirname(ctx.layout.abs(record.setAside.path)) : ctx.layout.setAsideDir(kind, today),
    name: nameWithin(link ? path.basename(link.path) : fileName(record.source.path), SET_ASIDE_NAME_BYTES),
    claim: record.key,
    note,
    hash: link
      ? undefined
      : (record.hash ??
        ((await ctx.storage.stat(source)) ? await ctx.storage.hashFile(source, ctx.signal) : undefined)),
    plan: (planned) => ctx.creatives.commit(setAsideAs(planned)),
  });
  return { ...setAsideAs(destination), state: kind, reason };
}

/** Removes what conversion wrote for a record; the untouched source and original stay. */
export async function removeConvertedOutputs(
  record: CreativeRecord,
  ctx: Pick<StageContext, 'layout' | 'storage'>,
): Promise<void> {
  const converted = (record.outputs ?? []).filter((output) => output.converted);
  await Promise.all(converted.map((output) => ctx.storage.remove(ctx.layout.abs(output.path))));
}

export interface MoveAside {
  readonly source: string;
  /** The folder files are set aside in, flat. */
  readonly dir: string;
  /** The name wanted; `name-2`, `-3`… when another file holds it. */
  readonly name: string;
  /** Who claims the name (a record's key): written in the reason file, so a restart finds its own claim. */
  readonly claim: string;
  /** Why, for the reason file beside it. */
  readonly note: string;
  readonly hash?: string | undefined;
  /** Records the destination before the file moves. */
  plan?(destination: string): Promise<void>;
}

/**
 * Moves a file into a flat folder under a name of its own, with `{name}.reason.txt` beside it. The
 * name is claimed by creating the reason file exclusively, so files set aside at the same moment
 * never share a name, and the move never replaces a file. The reason file names its claim, so a
 * restart after a crash at any step finds and finishes the same move.
 */
export async function moveAside(storage: StorageRepository, move: MoveAside): Promise<string> {
  if (!(await storage.exists(move.source))) {
    const moved = await claimedName(storage, move, false);
    if (moved !== undefined && (await storage.exists(moved))) return moved;
    throw new SourceChangedError('The file left its folder before it was set aside', move.source);
  }
  for (;;) {
    const destination = await claimedName(storage, move, true);
    if (destination === undefined) throw new Error('unreachable');
    await move.plan?.(destination);
    try {
      await storage.moveFile(move.source, destination, move.hash);
      return destination;
    } catch (error) {
      if (!(error instanceof DestinationTakenError)) throw error;
      // A file that was not ours sat under the name: leave it, give up the claim, take the next name.
      await storage.remove(reasonFile(destination));
    }
  }
}

/**
 * The candidate name this claim holds; or, when `create`, the first free one, claimed now by
 * creating its reason file exclusively. A name with a file and no reason file is another's.
 */
async function claimedName(storage: StorageRepository, move: MoveAside, create: boolean): Promise<string | undefined> {
  await storage.ensureDir(move.dir);
  for (const candidate of storage.candidateNames(move.dir, move.name)) {
    const existing = await storage.readText(reasonFile(candidate));
    if (existing !== undefined) {
      if (existing.split('\n').includes(claimLine(move.claim))) return candidate;
      continue;
    }
    if (await storage.exists(candidate)) continue;
    if (!create) return undefined;
    try {
      await storage.createExclusive(reasonFile(candidate), `${move.note}\n${claimLine(move.claim)}\n`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    // A file may have arrived under the name without a claim (a person's copy): it is not ours.
    if (!(await storage.exists(candidate))) return candidate;
    await storage.remove(reasonFile(candidate));
  }
  return undefined;
}

function reasonFile(destination: string): string {
  return `${destination}.reason.txt`;
}

function claimLine(claim: string): string {
  return `Record: ${claim}`;
}

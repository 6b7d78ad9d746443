import { localDate } from '../core/dates.js';
import { fileName } from '../core/files.js';
import type { SetAsideKind } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import type { StageContext } from './context.js';

/**
 * Moves a rejected or duplicate source to `archive/{rejected|duplicates}/{date}/`, with its reason
 * in a text file beside it. The destination is recorded before the move, so a crash in between
 * finishes the same move on restart instead of choosing another place.
 */
export async function setAside(record: CreativeRecord, kind: SetAsideKind, reason: string, ctx: StageContext, today = localDate()): Promise<CreativeRecord> {
  let planned = record;
  if (!planned.setAside) {
    const destination = await ctx.storage.freePath(ctx.layout.setAsideDir(kind, today), fileName(record.source.path));
    planned = { ...record, setAside: { path: ctx.layout.rel(destination), reason } };
    await ctx.creatives.commit(planned);
  }
  const source = ctx.layout.abs(record.source.path);
  const destination = ctx.layout.abs(planned.setAside?.path ?? record.source.path);
  if (await ctx.storage.stat(source)) {
    const hash = record.hash ?? (await ctx.storage.hashFile(source, ctx.signal));
    await ctx.storage.moveFile(source, destination, hash);
  }
  const note = [`${kind === 'rejected' ? 'Rejected' : 'Duplicate'}: ${reason}`, `File: ${record.source.path}`, `Set aside: ${new Date().toISOString()}`, ''].join('\n');
  await ctx.storage.writeFileAtomic(`${destination}.reason.txt`, note);
  return { ...planned, state: kind, reason };
}

/** Removes what conversion wrote for a record; the untouched source and original stay. */
export async function removeConvertedOutputs(record: CreativeRecord, ctx: Pick<StageContext, 'layout' | 'storage'>): Promise<void> {
  const converted = (record.outputs ?? []).filter((output) => output.converted);
  await Promise.all(converted.map((output) => ctx.storage.remove(ctx.layout.abs(output.path))));
}

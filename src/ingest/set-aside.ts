import path from 'node:path';
import { localDate } from '../core/dates.js';
import { toAbsolute, toRelative } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import type { StageContext } from './context.js';

export type SetAsideKind = 'rejected' | 'duplicate';

const FOLDERS: Readonly<Record<SetAsideKind, string>> = { rejected: 'rejected', duplicate: 'duplicates' };

/**
 * Moves a rejected or duplicate source to `archive/{rejected|duplicates}/{date}/`, with its reason
 * in a text file beside it. The destination is recorded before the move, so a crash in between
 * finishes the same move on restart instead of choosing another place.
 */
export async function setAside(record: CreativeRecord, kind: SetAsideKind, reason: string, ctx: StageContext, today = localDate()): Promise<CreativeRecord> {
  let planned = record;
  if (!planned.setAside) {
    const dir = path.join(ctx.layout.archive, FOLDERS[kind], today);
    const destination = await ctx.storage.freePath(dir, path.posix.basename(record.source.path));
    planned = { ...record, setAside: { path: toRelative(ctx.layout, destination), reason } };
    await ctx.creatives.commit(planned);
  }
  const setAsidePath = planned.setAside?.path ?? '';
  const source = toAbsolute(ctx.layout, record.source.path);
  const destination = toAbsolute(ctx.layout, setAsidePath);
  if (await ctx.storage.stat(source)) {
    const hash = record.hash ?? (await ctx.storage.hashFile(source, ctx.signal));
    await ctx.storage.moveFile(source, destination, hash);
  }
  const note = [`${kind === 'rejected' ? 'Rejected' : 'Duplicate'}: ${reason}`, `File: ${record.source.path}`, `Set aside: ${new Date().toISOString()}`, ''].join('\n');
  await ctx.storage.writeFileAtomic(`${destination}.reason.txt`, note);
  return { ...planned, state: kind, reason };
}

import { SourceChangedError } from '../core/errors.js';
import type { CreativeRecord } from '../core/record.js';
import type { StageContext } from './context.js';

/**
 * Stages a creative: moves its source out of `inbox/` to its place in `uploaded/` (the creative
 * itself, or the `ORG_` original beside the converted outputs). It runs only after the outputs are
 * in place, and is safe to run again after a crash: a source already moved is recognised by its hash.
 */
export async function place(record: CreativeRecord, ctx: StageContext): Promise<CreativeRecord> {
  const target = record.outputs?.find((output) => !output.converted);
  if (!target || !record.hash) throw new Error(`Creative ${record.key} reached staging without outputs`);
  const source = ctx.layout.abs(record.source.path);
  const destination = ctx.layout.abs(target.path);
  const now = await ctx.storage.stat(source);

  if (!now) {
    const placed = await ctx.storage.stat(destination);
    if (placed?.size === record.source.size && (await ctx.storage.hashFile(destination, ctx.signal)) === record.hash) {
      return { ...record, state: 'staged' };
    }
    throw new SourceChangedError('The file left inbox/ before it was staged', record.source.path);
  }
  if (now.size !== record.source.size || now.mtimeMs !== record.source.mtimeMs) {
    throw new SourceChangedError('The file changed after it was converted', record.source.path);
  }
  await ctx.storage.moveFile(source, destination, record.hash);
  return { ...record, state: 'staged' };
}

import type { CreativeRecord } from '../core/record.js';
import type { CreativeIndex } from '../repositories/creative-index.js';

export interface Duplicate {
  readonly of: CreativeRecord;
  readonly reason: string;
}

/** Finds the creative this one repeats, by content: the same bytes under any name. */
export function findDuplicate(record: CreativeRecord, index: Pick<CreativeIndex, 'byHash'>): Duplicate | undefined {
  if (!record.hash) return undefined;
  const original = index.byHash(record.hash);
  if (!original || original.key === record.key) return undefined;
  const id = original.naming ? `ID-${original.naming.id}` : original.key;
  const staged = original.outputs?.find((output) => output.role !== 'original')?.path;
  return {
    of: original,
    reason: `Same content as creative ${id}${staged ? ` (${staged})` : ''}, first dropped as ${original.source.path}`,
  };
}

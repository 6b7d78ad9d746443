import type { CreativeRecord } from '../core/record.js';
import type { CreativeRepository } from '../store/creative.repository.js';

export interface Duplicate {
  readonly of: CreativeRecord;
  readonly reason: string;
}

/** Finds the creative this one repeats, by content: the same bytes under any name. */
export async function findDuplicate(
  record: CreativeRecord,
  creatives: Pick<CreativeRepository, 'index' | 'load'>,
): Promise<Duplicate | undefined> {
  if (!record.hash) return undefined;
  const entry = creatives.index.byHash(record.hash);
  if (!entry || entry.key === record.key) return undefined;
  const original = await creatives.load(entry.key);
  if (!original) return undefined;
  const id = original.naming ? `ID-${original.naming.id}` : original.key;
  const staged = original.outputs?.find((output) => output.role !== 'original')?.path;
  return {
    of: original,
    reason: `Same content as creative ${id}${staged ? ` (${staged})` : ''}, first dropped as ${original.source.path}`,
  };
}

import type { CreativeRepository } from '../store/creative.repository.js';

/**
 * For ExoClick campaign rows: every output's TJ id → its ExoClick id (undefined while ExoClick does
 * not have it), and every ExoClick id of ours → itself. One walk, on demand.
 */
export async function exoIdsByTjId(
  creatives: Pick<CreativeRepository, 'forEachSegment'>,
): Promise<Map<string, string | undefined>> {
  const ids = new Map<string, string | undefined>();
  await creatives.forEachSegment((records) => {
    for (const record of records) {
      for (const output of record.outputs ?? []) {
        const tj = output.uploads?.tj?.creativeId;
        const exo = output.uploads?.exoclick;
        const exoId = exo?.status === 'uploaded' || exo?.status === 'duplicate' ? exo.creativeId : undefined;
        if (exoId) ids.set(exoId, exoId);
        // A re-drop's record shares the TJ id (a duplicate) and may lack ExoClick's: a known id is kept.
        if (tj && (exoId || !ids.get(tj))) ids.set(tj, exoId ?? ids.get(tj));
      }
    }
  });
  return ids;
}

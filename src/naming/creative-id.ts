import { createHash } from 'node:crypto';

const ID_LENGTH = 8;

/** Tells which content hash, if any, already owns a creative id. */
export type IdOwner = (id: string) => string | undefined;

/**
 * The id of a creative: 8 uppercase hex digits taken from its content hash, so the same bytes get
 * the same id. When another content already holds an id, the next window of the hash is tried,
 * then hashes of the hash, so two contents never share one.
 *
 * @param preferred An id the file name already carries (a re-drop keeps its id).
 */
export function deriveCreativeId(contentHash: string, ownerOf: IdOwner, preferred?: string): string {
  for (const candidate of candidates(contentHash, preferred)) {
    const owner = ownerOf(candidate);
    if (owner === undefined || owner === contentHash) return candidate;
  }
  throw new Error(`No free creative id for content ${contentHash}`);
}

function* candidates(contentHash: string, preferred: string | undefined): Generator<string> {
  if (preferred) yield preferred.toUpperCase();
  const hex = contentHash.toUpperCase();
  for (let start = 0; start + ID_LENGTH <= hex.length; start += 1) yield hex.slice(start, start + ID_LENGTH);
  for (let round = 1; round < 10_000; round += 1) {
    yield createHash('sha256').update(`${contentHash}:${round}`).digest('hex').slice(0, ID_LENGTH).toUpperCase();
  }
}

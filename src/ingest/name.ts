import { baseName } from '../core/files.js';
import { inboxFolders, type RootPath } from '../core/layout.js';
import type { CreativeRecord, NamingTokens } from '../core/record.js';
import { deriveCreativeId } from '../naming/creative-id.js';
import type { MetadataDefaultsFile } from '../naming/metadata-defaults.js';
import { resolveTokens } from '../naming/resolve-tokens.js';
import { descriptionFromFileName, parseConventionName } from '../naming/tokens.js';
import type { CreativeIndex } from '../store/creative-index.js';

export interface NameSources {
  readonly folderDefaults: Pick<MetadataDefaultsFile, 'lookup'>;
  readonly configDefaults: Partial<NamingTokens>;
  readonly index: Pick<CreativeIndex, 'hashOfId'>;
}

/** Folders directly under `inbox/` that choose the kind rather than the naming tokens. */
const KIND_FOLDERS = new Set(['native', 'preroll']);

/** Gives the creative its tokens and its content-derived id. */
export async function name(record: CreativeRecord, sources: NameSources): Promise<CreativeRecord> {
  if (!record.hash) throw new Error(`Creative ${record.key} reached naming without a content hash`);
  const parsed = parseConventionName(baseName(record.source.path));
  const folderName = immediateFolder(record.source.path);
  const { tokens, review } = resolveTokens({
    fromName: parsed?.tokens,
    fromFolder: folderName === undefined ? undefined : await sources.folderDefaults.lookup(folderName),
    folderName,
    // A file already in the convention has its description in its tokens; any other keeps its own name there.
    fileDescription: parsed ? undefined : descriptionFromFileName(baseName(record.source.path)),
    defaults: sources.configDefaults,
  });
  const kept = parsed && nameIdHolds(parsed.id, record.hash, sources.index) ? parsed.id : undefined;
  const id = deriveCreativeId(record.hash, (candidate) => sources.index.hashOfId(candidate), kept);
  if (parsed && kept === undefined)
    review.push(`the name's ID-${parsed.id} is not this content's (re-edited?): given ID-${id}`);
  return { ...record, state: 'named', naming: { id, tokens, review } };
}

/**
 * Whether an id in a file's name belongs to its content: the content hashes to it, or the database
 * knows this content under it. A file edited after it was named keeps its name but not its id, or
 * it would pass for the old creative (and never be uploaded).
 */
function nameIdHolds(id: string, hash: string, index: NameSources['index']): boolean {
  return hash.slice(0, id.length).toUpperCase() === id || index.hashOfId(id) === hash;
}

/** The name of the folder holding the file, unless that is `inbox/` itself or a kind folder. */
export function immediateFolder(sourcePath: RootPath): string | undefined {
  const folders = inboxFolders(sourcePath);
  const last = folders.at(-1);
  if (last === undefined) return undefined;
  return folders.length === 1 && KIND_FOLDERS.has(last.toLowerCase()) ? undefined : last;
}

import { baseName } from '../core/files.js';
import { inboxFolders, type RootPath } from '../core/layout.js';
import type { CreativeRecord, NamingTokens } from '../core/record.js';
import { deriveCreativeId } from '../naming/creative-id.js';
import type { MetadataDefaultsFile } from '../naming/metadata-defaults.js';
import { resolveTokens } from '../naming/resolve-tokens.js';
import { parseConventionName } from '../naming/tokens.js';
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
    defaults: sources.configDefaults,
  });
  const id = deriveCreativeId(record.hash, (candidate) => sources.index.hashOfId(candidate), parsed?.id);
  return { ...record, state: 'named', naming: { id, tokens, review } };
}

/** The name of the folder holding the file, unless that is `inbox/` itself or a kind folder. */
export function immediateFolder(sourcePath: RootPath): string | undefined {
  const folders = inboxFolders(sourcePath);
  const last = folders.at(-1);
  if (last === undefined) return undefined;
  return folders.length === 1 && KIND_FOLDERS.has(last.toLowerCase()) ? undefined : last;
}

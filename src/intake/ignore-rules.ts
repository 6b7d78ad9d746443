import { TEMP_PREFIX } from '../store/storage.repository.js';
import { isIn, type RootPath } from '../core/layout.js';

/** Endings of files still being downloaded or copied; they are left alone until renamed. */
const PARTIAL_ENDINGS = ['.part', '.crdownload', '.tmp', '.download', '.partial', '.opdownload', '.!qb', '.filepart'];
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'icon\r']);

/** Whether a file in `inbox/` is not (yet) a creative: partial downloads, dotfiles, our temp files. */
export function isIgnoredName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    name.startsWith('.') ||
    name.startsWith(TEMP_PREFIX) ||
    name.startsWith('~$') ||
    SYSTEM_FILES.has(lower) ||
    PARTIAL_ENDINGS.some((ending) => lower.endsWith(ending))
  );
}

/** The same rule for a file below `inbox/`: a dot folder hides everything in it. */
export function isIgnoredSource(source: RootPath): boolean {
  if (!isIn(source, 'inbox')) return true;
  const parts = source.split('/').slice(1);
  return parts.some((part, index) => (index === parts.length - 1 ? isIgnoredName(part) : part.startsWith('.')));
}

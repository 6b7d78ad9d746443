import path from 'node:path';
import { TEMP_PREFIX } from '../store/storage.repository.js';

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

/** The same rule for a path below `inbox/`: a dot folder hides everything in it. */
export function isIgnoredPath(relativeToInbox: string): boolean {
  const parts = relativeToInbox.split(/[\\/]/).filter(Boolean);
  return parts.some((part, index) => (index === parts.length - 1 ? isIgnoredName(part) : part.startsWith('.')));
}

export function relativeToInbox(inbox: string, file: string): string {
  return path.relative(inbox, file).split(path.sep).join('/');
}

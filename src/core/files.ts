import { createHash } from 'node:crypto';

/** A file's name, from a path with either separator. */
export function fileName(filePath: string): string {
  return filePath.slice(Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\')) + 1);
}

/**
 * A file's name without its extension: how TJ shows a creative (`clip.mp4` → `clip`). A name that
 * is all extension (`.env`) or has none keeps what it has.
 */
export function baseName(filePath: string): string {
  const name = fileName(filePath);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The extension with its dot, lower case; empty when there is none. */
export function extensionOf(filePath: string): string {
  const name = fileName(filePath);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/**
 * `name`, cut to at most `maxBytes` of UTF-8 so the names made from it (`-2`, `.reason.txt`, a
 * temporary prefix) still fit the filesystem's 255-byte limit. A cut name keeps its extension and
 * gains a short hash of the whole name, so two long names that start alike stay apart. A cut never
 * splits a character.
 */
export function nameWithin(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(name.slice(dot)) <= 16 ? name.slice(dot) : '';
  const tag = `~${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  let stem = '';
  for (const char of name.slice(0, name.length - ext.length)) {
    if (Buffer.byteLength(stem + char + tag + ext) > maxBytes) break;
    stem += char;
  }
  return `${stem}${tag}${ext}`;
}

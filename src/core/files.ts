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

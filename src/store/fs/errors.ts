// The system's error codes, read one way by every module of the filesystem adapter.

/** The code of a system error (`ENOENT`, `EEXIST`…), or '' for an error that has none. */
export function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? '';
}

/** Whether the error says the path is not there (a missing entry, or a file where a folder should be). */
export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

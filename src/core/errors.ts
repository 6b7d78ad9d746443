/**
 * Every error we raise says what failed, for which file, and what a person can do about it.
 * The pipeline maps each class onto a state: bad input is set aside, a transient fault is retried,
 * and a broken environment stops the process with a message.
 */
export abstract class CreativeFlowError extends Error {
  /** What a person can do about it, in one sentence. */
  readonly hint: string;
  /** The file concerned, relative to the root, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, options: { hint: string; file?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.file = options.file;
  }

  /** The sentence shown to people: the problem, the file, and the way out. */
  get plain(): string {
    const where = this.file ? ` (${this.file})` : '';
    return `${this.message}${where}. ${this.hint}`;
  }
}

/** The file itself is unusable: it is set aside with this reason and never retried as it is. */
export class BadInputError extends CreativeFlowError {
  constructor(
    message: string,
    file: string,
    hint = 'Replace the file with a complete, playable copy and drop it again.',
  ) {
    super(message, { hint, file });
  }
}

/** The file's hash is in `tracking/known_fakes.csv`: a placeholder a scraper delivered, set aside on sight. */
export class KnownFakeError extends BadInputError {
  constructor(
    reason: string,
    file: string,
    /** The file's SHA-256, so the record keeps it. */
    readonly hash: string,
  ) {
    super(
      `Known fake: ${reason}`,
      file,
      'Its hash is in tracking/known_fakes.csv; remove that line if this is a real creative, and drop it again.',
    );
  }
}

/** Something outside the file went wrong (disk, a crashed tool); the step is retried later. */
export class TransientError extends CreativeFlowError {
  constructor(message: string, options: { file?: string; cause?: unknown; hint?: string }) {
    super(message, {
      hint: options.hint ?? 'It will be retried; if it keeps failing, check disk space and the log.',
      ...options,
    });
  }
}

/** The source changed or vanished under us; the file goes back to waiting until it is stable. */
export class SourceChangedError extends CreativeFlowError {
  constructor(message: string, file: string) {
    super(message, { hint: 'It will be picked up again once it stops changing.', file });
  }
}

/** A setting is wrong; start-up stops and names the key. */
export class ConfigError extends CreativeFlowError {
  readonly key: string;
  constructor(
    key: string,
    message: string,
    hint = 'Fix the value in .env, the environment or the command line, then start again.',
  ) {
    super(`Invalid configuration: ${key} ${message}`, { hint });
    this.key = key;
  }
}

/** A tool we need (ffmpeg, ffprobe) is not installed or not runnable. */
export class ToolMissingError extends CreativeFlowError {}

/** Work was abandoned because the process is shutting down; the step resumes on the next start. */
export class ShutdownError extends CreativeFlowError {
  constructor(file?: string) {
    super('Stopped for shutdown', {
      hint: 'It resumes from its last recorded step on the next start.',
      ...(file ? { file } : {}),
    });
  }
}

export function describeError(error: unknown): string {
  if (error instanceof CreativeFlowError) return error.plain;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** What the disk refused: full, read-only, or not ours to write. */
const STORAGE_FAULTS: Readonly<Record<string, { readonly says: (dir: string) => string; readonly hint: string }>> = {
  ENOSPC: {
    says: (dir) => `The disk holding ${dir} is full`,
    hint: 'Free some space there; work resumes on its own, and nothing is lost (files stay in inbox/ until they are safely staged).',
  },
  EDQUOT: {
    says: (dir) => `The disk quota for ${dir} is used up`,
    hint: 'Raise the quota or free some space; work resumes on its own, and nothing is lost.',
  },
  EROFS: {
    says: (dir) => `${dir} is on a read-only filesystem`,
    hint: 'Mount it read-write again; work resumes on its own, and nothing is lost.',
  },
  EACCES: {
    says: (dir) => `Permission denied writing to ${dir}`,
    hint: 'Give this user write access to it (chmod or chown); work resumes on its own, and nothing is lost.',
  },
  EPERM: {
    says: (dir) => `The system refused to change files in ${dir}`,
    hint: 'Check its owner and permissions; work resumes on its own, and nothing is lost.',
  },
};

/** ffmpeg says it in words rather than codes. */
const STORAGE_FAULT_WORDS: readonly [RegExp, string][] = [
  [/no space left on device/i, 'ENOSPC'],
  [/disk quota exceeded/i, 'EDQUOT'],
  [/read-only file system/i, 'EROFS'],
  [/permission denied/i, 'EACCES'],
];

/**
 * The disk cannot take the work now. Not the file's fault: no attempt is charged to it, and work
 * pauses until the folder can be written again.
 */
export class StorageFaultError extends CreativeFlowError {
  constructor(
    readonly code: string,
    /** The folder that refused, when known: the one checked before work resumes. */
    readonly dir: string | undefined,
    cause: unknown,
  ) {
    const fault = STORAGE_FAULTS[code] ?? STORAGE_FAULTS.EACCES;
    super(fault?.says(dir ?? 'a folder of the root') ?? code, { hint: fault?.hint ?? '', cause });
  }
}

/** The storage fault behind an error (its own code, a cause's, or ffmpeg's words), if there is one. */
export function storageFault(error: unknown, dirOf: (file: string) => string): StorageFaultError | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof StorageFaultError) return current;
    const { code, path: file, dest } = current as NodeJS.ErrnoException & { dest?: string };
    const where = dest ?? file;
    if (code && STORAGE_FAULTS[code]) return new StorageFaultError(code, where ? dirOf(where) : undefined, error);
    const worded = STORAGE_FAULT_WORDS.find(([words]) =>
      words.test(current instanceof CreativeFlowError ? current.message : String(current.message)),
    );
    if (worded) return new StorageFaultError(worded[1], undefined, error);
  }
  return undefined;
}

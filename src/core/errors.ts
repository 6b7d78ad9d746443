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
  constructor(message: string, file: string, hint = 'Replace the file with a complete, playable copy and drop it again.') {
    super(message, { hint, file });
  }
}

/** Something outside the file went wrong (disk, a crashed tool); the step is retried later. */
export class TransientError extends CreativeFlowError {
  constructor(message: string, options: { file?: string; cause?: unknown; hint?: string }) {
    super(message, { hint: options.hint ?? 'It will be retried; if it keeps failing, check disk space and the log.', ...options });
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
  constructor(key: string, message: string, hint = 'Fix the value in .env, the environment or the command line, then start again.') {
    super(`Invalid configuration: ${key} ${message}`, { hint });
    this.key = key;
  }
}

/** A tool we need (ffmpeg, ffprobe) is not installed or not runnable. */
export class ToolMissingError extends CreativeFlowError {}

/** Work was abandoned because the process is shutting down; the step resumes on the next start. */
export class ShutdownError extends CreativeFlowError {
  constructor(file?: string) {
    super('Stopped for shutdown', { hint: 'It resumes from its last recorded step on the next start.', ...(file ? { file } : {}) });
  }
}

export function describeError(error: unknown): string {
  if (error instanceof CreativeFlowError) return error.plain;
  if (error instanceof Error) return error.message;
  return String(error);
}

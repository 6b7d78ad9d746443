import { BadInputError, CreativeFlowError, ShutdownError, TransientError } from '../core/errors.js';
import { FfmpegFailedError, FfmpegTimedOutError, HeicDecodeError } from '../media/media.repository.js';
import type { StageContext } from './context.js';
import { formatOf, isCutShort } from './image-facts.js';

/** A file that failed to decode is read back to tell cut short from garbled, up to this size. */
const READ_BACK_BYTES = 64 << 20;

/** What a decoder says when the file ends too soon. */
const CUT_SHORT =
  /premature end|truncated|unexpected end|end of (file|stream|data)|not enough data|short read|out of data|incomplete/i;
/** What it says of a format, or a compression inside one, that it has no decoder for. */
const UNSUPPORTED =
  /unsupported image format|not a known (file )?format|has not been built in|no decoder|unsupported (codec|compression|feature)|not supported/i;
/** A failure of the system rather than of the file: left to the caller, which retries it. */
const ENVIRONMENT =
  /no space left|cannot allocate|out of memory|permission denied|too many open files|input\/output error|read-only file system/i;

/**
 * Words an image decoder's failure for people: what is wrong, in plain words, with advice that fits
 * that fault, then the library's own text in brackets for whoever wants it. "Replace it with a
 * complete copy" is said only of a file cut short, which the file's own structure tells (the
 * decoders say "read error" of a cut file and a garbled one alike). A failure of the machine (a
 * full disk, memory) and a programming error are returned as they are, for the caller to sort.
 */
export async function imageFailure(error: unknown, ctx: StageContext, file: string, label: string): Promise<unknown> {
  if (error instanceof CreativeFlowError) return error;
  if (error instanceof HeicDecodeError) return heicFailure(error, label);
  if (error instanceof FfmpegFailedError) return animationFailure(error, label);
  if (
    !(error instanceof Error) ||
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof ReferenceError
  )
    return error;
  if ((error as NodeJS.ErrnoException).code || ENVIRONMENT.test(error.message)) return error;
  const said = `(libvips: ${libraryText(error.message)})`;
  const cutShort = (await readBack(ctx, file).catch(() => undefined)) ?? CUT_SHORT.test(error.message);
  if (cutShort)
    return new BadInputError(
      `The image file is cut short: it ends before its last pixels ${said}`,
      label,
      'Replace it with a complete copy and drop it again.',
    );
  if (/exceeds pixel limit/i.test(error.message))
    return new BadInputError(
      `The image is larger than the pixel limit ${said}`,
      label,
      'Export it at a normal size; the limit protects the machine from image bombs.',
    );
  if (UNSUPPORTED.test(error.message))
    return new BadInputError(
      `The image is stored in a format or compression we cannot read ${said}`,
      label,
      'Export it as PNG or JPEG and drop that.',
    );
  return new BadInputError(
    `The image is damaged and cannot be decoded ${said}`,
    label,
    'Open it in an image editor, export it again as PNG or JPEG, and drop that.',
  );
}

/** Whether the file is cut short, by its structure; undefined when that cannot be told. */
async function readBack(ctx: StageContext, file: string): Promise<boolean | undefined> {
  const size = (await ctx.storage.stat(file))?.size ?? Infinity;
  const data = size <= READ_BACK_BYTES ? await ctx.storage.readBytes(file) : undefined;
  const format = data ? formatOf(data) : undefined;
  return data && format ? isCutShort(data, format) : undefined;
}

function heicFailure(error: HeicDecodeError, label: string): Error {
  if (error.kind === 'stopped') return new ShutdownError(label);
  if (error.kind === 'timed-out')
    return new TransientError(`Decoding the HEIC photo stopped: it was ${error.detail}`, { file: label, cause: error });
  if (error.kind === 'too-large') {
    const { width = 0, height = 0 } = error.size ?? {};
    return new BadInputError(
      `The HEIC photo is ${width}×${height} pixels, over the pixel limit`,
      label,
      'Export it at a normal size; the limit protects the machine from image bombs.',
    );
  }
  return new BadInputError(
    `The HEIC photo is damaged and cannot be decoded${error.detail ? ` (libheif: ${error.detail})` : ''}`,
    label,
    'Open it on the phone or in an image editor, export it as JPEG, and drop that.',
  );
}

/** A failure of ffmpeg reading the frames of an APNG or an image sequence. */
function animationFailure(error: FfmpegFailedError, label: string): Error {
  if (error instanceof FfmpegTimedOutError)
    return new TransientError(`Reading the animation's frames stopped: ${error.message}`, {
      file: label,
      cause: error,
    });
  if (error.killed) return new ShutdownError(label);
  return new BadInputError(
    `The animation's frames cannot be decoded${error.stderrTail ? ` (ffmpeg: ${error.stderrTail})` : ''}`,
    label,
    'Export it as a GIF, or as a video, and drop that.',
  );
}

/** The library's message on one line, without sharp's repeated lines, short enough for a reason column. */
function libraryText(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    // "vips2png: unable to write to target" only follows from the read that failed.
    .filter((line) => line !== '' && !/unable to write to target/.test(line));
  return [...new Set(lines)].join('; ').slice(0, 300);
}

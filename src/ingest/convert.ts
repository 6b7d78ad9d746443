import path from 'node:path';
import { BadInputError, CreativeFlowError, ShutdownError, StorageFaultError, TransientError } from '../core/errors.js';
import { extensionOf as extensionOfPath } from '../core/files.js';
import { OUTPUT_FOLDERS } from '../core/layout.js';
import type { CreativeRecord, MediaInfo, Naming, OutputFile } from '../core/record.js';
import { planNames } from '../naming/names.js';
import { FfmpegFailedError, FfmpegTimedOutError } from '../media/media.repository.js';
import type { StageContext } from './context.js';
import { makeImageCreative } from './convert-image.js';
import { nativePairArgs, prerollVideoArgs } from './ffmpeg-args.js';
import { clock } from './probe-video.js';
import { tellingFrame } from './telling-frame.js';
import { encodingLadder, firstThatFits } from './fit-image.js';
import { verifyVideo, type VideoFacts } from './verify-video.js';

interface Converted {
  readonly outputs: OutputFile[];
  readonly notes: string[];
  /** What a person should look at (a frame cropped hard), for the inventory's `needs_review`. */
  readonly review?: string[];
}

/** A crop that keeps less of the frame than this is said in the log and the report, and flagged for review. */
const HARD_CROP_KEPT = 0.75;

/**
 * Writes every output of a creative into `uploaded/` under its final name. Each output is written
 * to a temporary name, checked, flushed and renamed, so a crash never leaves half a file in place.
 * The source itself stays in `inbox/`; the stage step moves it.
 */
export async function convert(record: CreativeRecord, ctx: StageContext): Promise<CreativeRecord> {
  const { kind, media, naming } = record;
  if (!kind || !media || !naming)
    throw new Error(`Creative ${record.key} reached conversion before probing and naming`);
  const input = ctx.layout.abs(record.source.path);
  const produced: string[] = [];
  const job = { record, media, naming, input, ctx, produced };
  try {
    const converted = await mapFailures(ctx, record.source.path, () =>
      kind === 'native' ? convertNative(job) : kind === 'preroll' ? convertPreroll(job) : convertImage(job),
    );
    const review = [...damage(media), ...(converted.review ?? [])];
    if (review.length > 0)
      ctx.log.warn(
        { file: record.source.path },
        `${review.join('; ')}: check what was made in uploaded/ before it goes up`,
      );
    const next = {
      ...record,
      state: 'converted' as const,
      outputs: converted.outputs,
      notes: [...damage(media), ...converted.notes],
    };
    return review.length > 0 ? { ...next, naming: { ...naming, review: [...naming.review, ...review] } } : next;
  } catch (error) {
    // Half a pair (a video without its thumbnail) must not wait in uploaded/ with no record of it.
    await Promise.all(produced.map((file) => ctx.storage.remove(file)));
    throw error;
  }
}

interface Job {
  readonly record: CreativeRecord;
  readonly media: MediaInfo;
  readonly naming: Naming;
  readonly input: string;
  readonly ctx: StageContext;
  /** Final paths written so far, removed again if a later output fails. */
  readonly produced: string[];
}

async function convertNative({ record, media, naming, input, ctx, produced }: Job): Promise<Converted> {
  const { profile, layout } = ctx;
  const seconds = Math.min(media.durationSec ?? 0, profile.native.maxSeconds);
  const names = planNames({
    kind: 'native',
    naming,
    sourceExt: extensionOf(record),
    sourceSeconds: media.durationSec,
    outputSeconds: seconds,
  });
  const videoPath = path.join(layout.outputDir(OUTPUT_FOLDERS.native.video), names.video ?? '');
  const imagePath = path.join(layout.outputDir(OUTPUT_FOLDERS.native.image), names.image ?? '');

  const notes: string[] = [];
  const frame = ctx.storage.tempPathFor(path.join(layout.tmp, `${record.key}-frame.png`));
  await ctx.storage.ensureDir(layout.tmp);
  let video: VideoFacts;
  let image: Awaited<ReturnType<typeof firstThatFits>>;
  try {
    video = await produce(ctx, produced, videoPath, async (temp) => {
      const pair = nativePairArgs(profile, media.hasAudio ?? false, media);
      await ctx.media.runFfmpeg(
        {
          input,
          inputSeconds: seconds,
          inputOptions: pair.input,
          outputs: [
            { path: temp, options: pair.video },
            { path: frame, options: pair.frame },
          ],
        },
        ctx.signal,
      );
      return verifyVideo(ctx, temp, record.source.path, {
        width: profile.native.width,
        height: profile.native.height,
        maxSeconds: profile.native.maxSeconds,
      });
    });
    if (await tellingFrame(ctx, input, media, frame, seconds))
      notes.push('thumbnail taken a little further in: the first frame is one flat colour');
    image = await firstThatFits(
      (render) => ctx.media.renderImageToBuffer(frame, render),
      encodingLadder('png'),
      profile.native.imageMaxBytes,
    );
  } finally {
    await ctx.storage.remove(frame);
  }
  if (!image)
    throw new BadInputError(
      `No PNG of the first frame fits in ${profile.native.imageMaxBytes} bytes`,
      record.source.path,
    );
  produced.push(imagePath);
  await ctx.storage.writeFileAtomic(imagePath, image.data);

  const toneMap = media.hdr ? `, ${toneMapped(media.hdr)}` : '';
  notes.unshift(
    `native pair: ${seconds < (media.durationSec ?? 0) ? `cut to ${seconds} s, ` : ''}centre-cropped to ${profile.native.width}×${profile.native.height}${toneMap}`,
  );
  if (image.render.formatOptions?.palette) notes.push('thumbnail reduced to a palette PNG to fit the size limit');
  const kept = keptOfFrame(media.width, media.height, profile.native.width, profile.native.height);
  const review =
    kept < HARD_CROP_KEPT
      ? [`cropped: kept ${Math.round(kept * 100)}% of the ${media.width}×${media.height} frame`]
      : [];
  if (review.length > 0) notes.push(...review);
  return {
    review,
    outputs: [
      { role: 'video', path: layout.rel(videoPath), format: 'mp4', converted: true, ...video },
      {
        role: 'image',
        path: layout.rel(imagePath),
        bytes: image.data.length,
        width: profile.native.width,
        height: profile.native.height,
        format: 'png',
        converted: true,
      },
      originalOutput(ctx, record, media, path.join(layout.outputDir(OUTPUT_FOLDERS.native.original), names.original)),
    ],
    notes,
  };
}

async function convertPreroll({ record, media, naming, input, ctx, produced }: Job): Promise<Converted> {
  const { preroll } = ctx.profile;
  const duration = media.durationSec ?? 0;
  if (duration < preroll.minSeconds) {
    if (media.claimedDurationSec) {
      throw new BadInputError(
        `The file is cut short: it holds ${clock(duration)} of a claimed ${clock(media.claimedDurationSec)}, and in-stream video must last ${preroll.minSeconds}–${preroll.maxSeconds} s`,
        record.source.path,
        'Replace it with a complete copy.',
      );
    }
    throw new BadInputError(
      `The video lasts ${duration.toFixed(1)} s; in-stream video must last ${preroll.minSeconds}–${preroll.maxSeconds} s`,
      record.source.path,
      'Drop a longer cut into inbox/preroll/, or drop it into inbox/native/ to make a native pair.',
    );
  }
  const reasons: string[] = [];
  if (extensionOf(record) !== '.mp4' || !preroll.containers.some((name) => media.format.split(',').includes(name)))
    reasons.push(`container ${media.format} → mp4`);
  if (!preroll.videoCodecs.includes(media.videoCodec ?? '')) reasons.push(`codec ${media.videoCodec} → h264`);
  if (media.width > preroll.maxWidth || media.height > preroll.maxHeight)
    reasons.push(`${media.width}×${media.height} scaled to fit ${preroll.maxWidth}×${preroll.maxHeight}`);
  // A player turns and widens the picture; an ad server may not: the output is stored as it is shown.
  if (media.rotation) reasons.push(`turned ${media.rotation}° upright`);
  if (media.sampleAspect) reasons.push('anamorphic pixels made square');
  if (media.hdr) reasons.push(toneMapped(media.hdr));
  if (media.claimedDurationSec) reasons.push('made again from what the damaged file holds');
  const trimTo = duration > preroll.maxSeconds ? preroll.trimToSeconds : undefined;
  if (trimTo !== undefined) reasons.push(`cut from ${duration.toFixed(1)} s to ${trimTo} s`);

  const folder = ctx.layout.outputDir(OUTPUT_FOLDERS.preroll.creative);
  if (reasons.length === 0) {
    const names = planNames({ kind: 'preroll', naming, sourceExt: '.mp4', sourceSeconds: duration });
    return {
      outputs: [passThrough(ctx, record, media, path.join(folder, names.creative ?? ''))],
      notes: ['passed through unchanged'],
    };
  }
  const names = planNames({
    kind: 'preroll',
    naming,
    sourceExt: extensionOf(record),
    sourceSeconds: duration,
    outputSeconds: trimTo ?? duration,
    outputExt: '.mp4',
  });
  const finalPath = path.join(folder, names.creative ?? '');
  const video = await produce(ctx, produced, finalPath, async (temp) => {
    await ctx.media.runFfmpeg(
      {
        input,
        inputSeconds: trimTo ?? duration,
        outputs: [{ path: temp, options: prerollVideoArgs(ctx.profile, media.hasAudio ?? false, trimTo, media) }],
      },
      ctx.signal,
    );
    return verifyVideo(ctx, temp, record.source.path, {
      maxWidth: preroll.maxWidth,
      maxHeight: preroll.maxHeight,
      maxSeconds: preroll.maxSeconds,
    });
  });
  return {
    outputs: [
      { role: 'creative', path: ctx.layout.rel(finalPath), format: 'mp4', converted: true, ...video },
      originalOutput(
        ctx,
        record,
        media,
        path.join(ctx.layout.outputDir(OUTPUT_FOLDERS.preroll.original), names.original),
      ),
    ],
    notes: [`converted: ${reasons.join('; ')}`],
  };
}

/** An image creative: the source itself, or its re-encoding (see `convert-image.ts` for which and why). */
async function convertImage({ record, media, naming, input, ctx, produced }: Job): Promise<Converted> {
  const made = await makeImageCreative(ctx, record.source.path, media, input, record.source.size);
  const folder = ctx.layout.outputDir(OUTPUT_FOLDERS.image.creative);
  if (!made.data) {
    const names = planNames({ kind: 'image', naming, sourceExt: extensionOf(record) });
    return {
      outputs: [passThrough(ctx, record, media, path.join(folder, names.creative ?? ''))],
      notes: made.notes,
      review: made.review,
    };
  }
  const names = planNames({
    kind: 'image',
    naming,
    sourceExt: extensionOf(record),
    outputExt: made.format === 'jpeg' ? '.jpg' : `.${made.format}`,
  });
  const finalPath = path.join(folder, names.creative ?? '');
  produced.push(finalPath);
  await ctx.storage.writeFileAtomic(finalPath, made.data);
  return {
    outputs: [
      {
        role: 'creative',
        path: ctx.layout.rel(finalPath),
        bytes: made.data.length,
        width: made.width,
        height: made.height,
        format: made.format,
        converted: true,
      },
      originalOutput(
        ctx,
        record,
        media,
        path.join(ctx.layout.outputDir(OUTPUT_FOLDERS.image.original), names.original),
      ),
    ],
    notes: made.notes,
    review: made.review,
  };
}

/** The source itself is the creative; the stage step moves it here. */
function passThrough(ctx: StageContext, record: CreativeRecord, media: MediaInfo, finalPath: string): OutputFile {
  return { ...originalOutput(ctx, record, media, finalPath), role: 'creative' };
}

function originalOutput(ctx: StageContext, record: CreativeRecord, media: MediaInfo, finalPath: string): OutputFile {
  const base = {
    role: 'original' as const,
    path: ctx.layout.rel(finalPath),
    bytes: record.source.size,
    width: media.width,
    height: media.height,
    format: media.format,
    converted: false,
  };
  return media.durationSec === undefined ? base : { ...base, durationSec: media.durationSec };
}

/** Writes `finalPath` through a temporary file: produced, checked, flushed, renamed. */
async function produce<T>(
  ctx: StageContext,
  produced: string[],
  finalPath: string,
  write: (temp: string) => Promise<T>,
): Promise<T> {
  await ctx.storage.ensureDir(path.dirname(finalPath));
  const temp = ctx.storage.tempPathFor(finalPath);
  try {
    const result = await write(temp);
    produced.push(finalPath);
    await ctx.storage.commitTemp(temp, finalPath);
    return result;
  } finally {
    await ctx.storage.remove(temp);
  }
}

const ENVIRONMENT_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE', 'ENOMEM', 'EIO', 'EROFS', 'EBUSY']);
const ENVIRONMENT_MESSAGES =
  /no space left|cannot allocate|permission denied|too many open files|input\/output error|read-only file system/i;

/** A file cut short is made from what it holds, and a person is told: `needs_review` and the notes say so. */
function damage(media: MediaInfo): string[] {
  return media.claimedDurationSec && media.durationSec
    ? [`damaged: the file holds ${clock(media.durationSec)} of a claimed ${clock(media.claimedDurationSec)}`]
    : [];
}

/** Free space under which a failed conversion is blamed on the disk, not on the file. */
const CONVERSION_HEADROOM_BYTES = 8 << 20;

/**
 * Sorts a failure: the disk's (work pauses), the machine's (retried), the file's (set aside) or a
 * shutdown. A full or read-only disk makes ffmpeg and sharp fail in ways that look like a broken
 * input ("moov atom not found" when faststart cannot rewrite its output), so the disk is checked
 * before the file is blamed.
 */
async function mapFailures<T>(ctx: StageContext, label: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ShutdownError || (error instanceof FfmpegFailedError && error.killed))
      throw new ShutdownError(label);
    const disk = await ctx.storage.diskState(ctx.layout.uploaded, CONVERSION_HEADROOM_BYTES);
    if (disk !== 'ok') throw new StorageFaultError(disk === 'full' ? 'ENOSPC' : 'EACCES', ctx.layout.uploaded, error);
    if (error instanceof CreativeFlowError) throw error;
    // A run past its deadline may be a stuck machine as much as a crafted file: retried, then left in inbox/ as failed.
    if (error instanceof FfmpegTimedOutError)
      throw new TransientError(`Conversion stopped: ${error.message}`, { file: label, cause: error });
    const message = error instanceof FfmpegFailedError ? error.stderrTail : (error as Error).message;
    if (ENVIRONMENT_CODES.has((error as NodeJS.ErrnoException).code ?? '') || ENVIRONMENT_MESSAGES.test(message)) {
      throw new TransientError(`Conversion failed: ${message}`, { file: label, cause: error });
    }
    throw new BadInputError(`Conversion failed: ${message}`, label);
  }
}

const IMAGE_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  jpeg: ['.jpg', '.jpeg'],
  png: ['.png'],
  gif: ['.gif'],
  webp: ['.webp'],
  tiff: ['.tif', '.tiff'],
  heic: ['.heic', '.heif', '.hif'],
  avif: ['.avif'],
  heif: ['.heif', '.heic', '.avif'],
};

/** The source's extension, or, when it is missing or lies about an image, the one its content has. */
function extensionOf(record: CreativeRecord): string {
  const ext = extensionOfPath(record.source.path);
  const media = record.media;
  if (media?.type === 'image') {
    const allowed = IMAGE_EXTENSIONS[media.format] ?? [`.${media.format}`];
    return allowed.includes(ext) ? ext : (allowed[0] ?? ext);
  }
  return ext || `.${media?.format.split(',')[0] ?? 'bin'}`;
}

/** The share of a frame a centre crop to the target's aspect keeps: a 720×1280 portrait into 16:9 keeps 32%. */
export function keptOfFrame(width: number, height: number, targetWidth: number, targetHeight: number): number {
  if (width <= 0 || height <= 0) return 1;
  const ratio = width / height / (targetWidth / targetHeight);
  return Math.min(ratio, 1 / ratio);
}

/** How the notes say an HDR video was made SDR. */
function toneMapped(hdr: 'pq' | 'hlg'): string {
  return `${hdr === 'pq' ? 'HDR10 (PQ)' : 'HLG'} tone-mapped to SDR`;
}

import { BadInputError } from '../core/errors.js';
import type { OutputFile } from '../core/record.js';
import { readVideoFacts } from '../media/mp4-header.js';
import type { StageContext } from './context.js';

export type VideoFacts = Pick<OutputFile, 'bytes' | 'width' | 'height' | 'durationSec'>;

interface ReadBack {
  readonly video: { readonly codec: string; readonly width: number; readonly height: number } | undefined;
  readonly durationSec: number;
}

/**
 * The output's first video track, from its MP4 header read in place: ffprobe says the same, but
 * starting it costs about 50 ms of CPU, more than the check. Undefined when the header is not
 * where an `+faststart` MP4 has it; ffprobe then reads the file.
 */
async function headerFacts(ctx: StageContext, file: string): Promise<ReadBack | undefined> {
  const facts = await readVideoFacts((bytes) => ctx.storage.readHead(file, bytes));
  if (!facts) return undefined;
  const codec = facts.sampleFormat === 'avc1' || facts.sampleFormat === 'avc3' ? 'h264' : facts.sampleFormat;
  return { video: { codec, width: facts.width, height: facts.height }, durationSec: facts.durationSec };
}

async function probedFacts(ctx: StageContext, file: string): Promise<ReadBack> {
  const probed = await ctx.media.probe(file, ctx.signal);
  return { video: probed.streams.find((stream) => stream.type === 'video'), durationSec: probed.durationSec ?? 0 };
}

export interface VideoLimits {
  readonly width?: number;
  readonly height?: number;
  readonly maxWidth?: number;
  readonly maxHeight?: number;
  readonly maxSeconds: number;
}

/** Reads the output back: the file we stage must be what the platform accepts. */
export async function verifyVideo(
  ctx: StageContext,
  file: string,
  label: string,
  limits: VideoLimits,
): Promise<VideoFacts> {
  const { video, durationSec } = (await headerFacts(ctx, file)) ?? (await probedFacts(ctx, file));
  const problems = [
    !video && 'it has no video stream',
    video && video.codec !== 'h264' && `its codec is ${video.codec}`,
    video &&
      limits.width !== undefined &&
      (video.width !== limits.width || video.height !== limits.height) &&
      `it is ${video.width}×${video.height}`,
    video &&
      limits.maxWidth !== undefined &&
      (video.width > limits.maxWidth || video.height > (limits.maxHeight ?? Infinity)) &&
      `it is ${video.width}×${video.height}`,
    durationSec > limits.maxSeconds + 0.1 && `it lasts ${durationSec.toFixed(2)} s`,
    durationSec <= 0 && 'it has no frames',
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0 || !video)
    throw new BadInputError(`Conversion gave an unusable video: ${problems.join(', ')}`, label);
  const stat = await ctx.storage.stat(file);
  return { bytes: stat?.size ?? 0, width: video.width, height: video.height, durationSec };
}

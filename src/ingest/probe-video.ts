import { BadInputError, TransientError } from '../core/errors.js';
import type { MediaInfo } from '../core/record.js';
import {
  FfmpegFailedError,
  FfmpegTimedOutError,
  FormatNotAllowedError,
  type ProbedStream,
} from '../media/media.repository.js';
import type { StageContext } from './context.js';

/** A video's streams may end this much before its header says without the file being called damaged. */
const END_TOLERANCE = { seconds: 1, fraction: 0.05 };

/**
 * What a video is, as a player shows it: its frame turned by its display matrix and widened by its
 * sample aspect, its real length read from its packets (a header can claim more than the file
 * holds), and whether it is HDR. Refuses what cannot become a creative, with a plain reason.
 */
export async function inspectVideo(file: string, label: string, ctx: StageContext): Promise<MediaInfo> {
  let container;
  try {
    container = await ctx.media.probe(file, ctx.signal);
  } catch (error) {
    throw probeFailure(error, label);
  }
  const video = container.streams.find((stream) => stream.type === 'video' && !stream.attachedPicture);
  if (!video) {
    const audioOnly = container.streams.some((stream) => stream.type === 'audio');
    throw new BadInputError(
      `The file has no video stream${audioOnly ? ' (it holds only audio)' : ''}`,
      label,
      'Drop a video or an image instead.',
    );
  }
  // The video stream's own length where it has one: audio may run on after the picture ends.
  const claimedSec = video.durationSec ?? container.durationSec;
  if (!claimedSec) throw new BadInputError('The video reports no duration', label);
  if (video.width <= 0 || video.height <= 0) throw new BadInputError('The video reports no frame size', label);
  const shown = displayedSize(video);
  checkVideoCeilings(shown.width, shown.height, claimedSec, label, ctx);
  const { durationSec, cutShort } = await readableLength(file, label, claimedSec, ctx);
  const hdr = video.colorTransfer === 'smpte2084' ? 'pq' : video.colorTransfer === 'arib-std-b67' ? 'hlg' : undefined;
  return {
    type: 'video',
    format: container.formatName,
    width: shown.width,
    height: shown.height,
    durationSec,
    videoCodec: video.codec,
    hasAudio: container.streams.some((stream) => stream.type === 'audio'),
    ...(video.sampleAspect !== 1 ? { sampleAspect: video.sampleAspect } : {}),
    ...(video.rotation !== 0 ? { rotation: video.rotation } : {}),
    ...(hdr ? { hdr } : {}),
    ...(cutShort ? { claimedDurationSec: claimedSec } : {}),
  };
}

/** The frame a player shows: coded pixels widened (or heightened) to square ones, then turned. */
export function displayedSize(video: Pick<ProbedStream, 'width' | 'height' | 'sampleAspect' | 'rotation'>): {
  width: number;
  height: number;
} {
  const width = Math.round(video.width * Math.max(1, video.sampleAspect));
  const height = Math.round(video.height / Math.min(1, video.sampleAspect));
  return video.rotation % 180 === 0 ? { width, height } : { width: height, height: width };
}

/** Sorts a failed ffprobe: a stop, a stuck run (retried), a container we refuse, or a file that is not media. */
export function probeFailure(error: unknown, label: string): Error {
  if (error instanceof FfmpegFailedError && error.killed) return error;
  if (error instanceof FfmpegTimedOutError)
    return new TransientError(`Reading the file stopped: ${error.message}`, { file: label, cause: error });
  if (error instanceof FormatNotAllowedError) {
    const format = error.format.replace(/_pipe$/, '');
    if (error.format.endsWith('_pipe') || error.format === 'image2')
      return new BadInputError(
        `The image format "${format}" is not supported`,
        label,
        'Convert it to PNG or JPEG and drop it again.',
      );
    return new BadInputError(
      `The file holds a "${format}" ${['hls', 'concat', 'ffmetadata'].includes(format) ? 'list that names other files' : 'container'}, not a video we take`,
      label,
      'Drop the video itself (MP4, MOV, WebM, MKV, AVI). Files a playlist or a list names are never read.',
    );
  }
  const detail = error instanceof FfmpegFailedError ? error.stderrTail : (error as Error).message;
  return new BadInputError(`This is not a playable video or a readable image (ffprobe: ${detail})`, label);
}

/** Refuses a frame or a running time far beyond any ad's before ffmpeg decodes a frame of it. */
function checkVideoCeilings(
  width: number,
  height: number,
  durationSec: number,
  label: string,
  ctx: StageContext,
): void {
  const { maxVideoPixels, maxVideoSeconds } = ctx.profile.input;
  if (width * height > maxVideoPixels) {
    throw new BadInputError(
      `The video's frame is ${width}×${height}, over the ${(maxVideoPixels / 1e6).toFixed(maxVideoPixels < 1e6 ? 2 : 0)}-megapixel limit`,
      label,
      'Export it at 4K or smaller and drop it again.',
    );
  }
  if (durationSec > maxVideoSeconds) {
    throw new BadInputError(
      `The video lasts ${Math.round(durationSec)} s, over the ${maxVideoSeconds < 120 ? `${maxVideoSeconds}-second` : `${Math.round(maxVideoSeconds / 60)}-minute`} limit`,
      label,
      'Cut the part meant for the ad and drop that.',
    );
  }
}

/**
 * How long the video really is. Its last half second of packets is read first (demuxed, not
 * decoded: cheap): when they are there and clean, the header is right. When they are missing, the
 * file was cut short (an interrupted copy, a damaged download) and its packets are read from the
 * start to find where they end: what it holds is converted, under its real length, and flagged.
 * Packets that reach the end with errors on the way mean damage inside: refused.
 */
async function readableLength(
  file: string,
  label: string,
  claimedSec: number,
  ctx: StageContext,
): Promise<{ durationSec: number; cutShort: boolean }> {
  const tolerance = Math.max(END_TOLERANCE.seconds, claimedSec * END_TOLERANCE.fraction);
  const tail = await packetsEnd(file, label, Math.max(0, claimedSec - 0.5), ctx);
  if (tail.packets > 0 && (tail.endSec ?? 0) >= claimedSec - tolerance) {
    if (tail.errors)
      throw new BadInputError(
        `The video is corrupt near its end (${tail.errors})`,
        label,
        'Export or copy it again, and drop the new file.',
      );
    return { durationSec: claimedSec, cutShort: false };
  }
  const whole = await packetsEnd(file, label, 0, ctx);
  if (whole.packets === 0 || !whole.endSec) {
    throw new BadInputError(
      `The file holds no readable video frames, though its header claims ${clock(claimedSec)}${whole.errors ? ` (${whole.errors})` : ''}`,
      label,
      'The file is cut short: replace it with a complete copy.',
    );
  }
  // The picture may just end before the sound does (an export whose audio runs on): the file is
  // whole when any stream reaches the end its header claims, and it is as long as its picture.
  const anyStream = await packetsEnd(file, label, Math.max(0, claimedSec - 0.5), ctx, 'all');
  const reachesEnd = anyStream.packets > 0 && (anyStream.endSec ?? 0) >= claimedSec - tolerance && !anyStream.errors;
  return { durationSec: Math.min(claimedSec, whole.endSec), cutShort: !reachesEnd };
}

async function packetsEnd(
  file: string,
  label: string,
  fromSec: number,
  ctx: StageContext,
  streams: 'video' | 'all' = 'video',
): ReturnType<StageContext['media']['packetsEnd']> {
  try {
    return await ctx.media.packetsEnd(file, fromSec, ctx.signal, streams);
  } catch (error) {
    throw probeFailure(error, label);
  }
}

/** 1132.4 → `18:52`; 7.5 → `7.5 s`. */
export function clock(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

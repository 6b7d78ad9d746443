import type { PlatformProfile } from '../config/profile.js';

/**
 * ffmpeg arguments for each conversion, one word per array element. Pure, so the benchmark's bare
 * commands (a video and its frame, one run each, as a person would) encode with the pipeline's
 * very settings.
 */

/** What of the source's picture changes the filters: HDR is tone-mapped; everything else is read from the frames. */
export interface SourcePicture {
  readonly hdr?: 'pq' | 'hlg' | undefined;
}

/**
 * Square pixels from what a player shows: an anamorphic frame (640×360 coded, 2:1 sample aspect)
 * is widened, or heightened when its pixels are tall, never narrowed. Square pixels pass through
 * untouched (scale does nothing at the same size). Rotation needs no filter: ffmpeg turns the
 * frames by the display matrix as it decodes, and writes no rotation into the output.
 */
const SQUARE_PIXELS = "scale='trunc(iw*max(1,sar)/2)*2':'trunc(ih/min(1,sar)/2)*2',setsar=1";

/**
 * PQ or HLG to SDR BT.709 with zscale (zimg) and tonemap, both in Debian's ffmpeg: to linear light
 * at 100 nits, to BT.709 primaries in float, Hable's curve without desaturation, back to BT.709's
 * transfer and matrix in TV range. Without it an HDR phone video shows grey and washed out.
 */
const TONE_MAP_TO_SDR =
  'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p';

/** The tags an SDR output carries after {@link TONE_MAP_TO_SDR}, so players do not take it for HDR still. */
const SDR_TAGS = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'];

/** The filters every output of a source starts with: tone-mapped when HDR, then square pixels. */
function sourceFilters(source: SourcePicture): string {
  return [...(source.hdr ? [TONE_MAP_TO_SDR] : []), SQUARE_PIXELS].join(',');
}

/** Centre-crop to the target aspect (no padding) of what a player shows, then scale to the exact frame. */
export function cropAndScaleFilter(width: number, height: number, source: SourcePicture = {}): string {
  return `${sourceFilters(source)},crop='min(iw,ih*${width}/${height})':'min(ih,iw*${height}/${width})',scale=${width}:${height}:flags=lanczos,setsar=1`;
}

const H264 = ['-c:v', 'libx264', '-preset', 'fast', '-crf', '21', '-pix_fmt', 'yuv420p', '-profile:v', 'high'];
const AAC = ['-c:a', 'aac', '-b:a', '128k', '-ac', '2'];
const MP4_FASTSTART = ['-movflags', '+faststart', '-f', 'mp4'];
const PNG_FRAME = ['-c:v', 'png', '-f', 'image2'];

/** The native video alone, as a person would run it (the benchmark's bare command). */
export function nativeVideoArgs(profile: PlatformProfile, hasAudio: boolean, source: SourcePicture = {}): string[] {
  const { width, height, maxSeconds } = profile.native;
  return [
    '-map',
    '0:v:0',
    ...(hasAudio ? ['-map', '0:a:0', ...AAC] : ['-an']),
    '-t',
    String(maxSeconds),
    '-vf',
    cropAndScaleFilter(width, height, source),
    ...H264,
    ...(source.hdr ? SDR_TAGS : []),
    ...MP4_FASTSTART,
  ];
}

/** The first frame, cropped and scaled like the video, as a lossless PNG for sharp to compress. */
export function nativeFrameArgs(profile: PlatformProfile, source: SourcePicture = {}): string[] {
  const { width, height } = profile.native;
  return ['-map', '0:v:0', '-frames:v', '1', '-vf', cropAndScaleFilter(width, height, source), ...PNG_FRAME];
}

/** A native pair in one ffmpeg run: the input options, then the video's and the frame's outputs. */
export interface NativePairArgs {
  readonly input: string[];
  readonly video: string[];
  readonly frame: string[];
}

/**
 * The native video and its first frame from one decode of the source: {@link nativeVideoArgs}
 * and {@link nativeFrameArgs} in a single run, which saves a process and a decode per pair.
 * In ffmpeg 5.1 a run with two outputs reads its input to the end unless the input itself is cut,
 * hence `-t` before `-i`. The picture is cropped and scaled once, then split; `format` pins the
 * split to the video's pixel format, or ffmpeg would scale to the PNG's RGB and convert back.
 */
export function nativePairArgs(
  profile: PlatformProfile,
  hasAudio: boolean,
  source: SourcePicture = {},
): NativePairArgs {
  const { width, height, maxSeconds } = profile.native;
  const picture = `[0:v:0]${cropAndScaleFilter(width, height, source)},format=yuv420p,split=2[video][frame]`;
  return {
    input: ['-t', String(maxSeconds)],
    video: [
      '-filter_complex',
      picture,
      '-map',
      '[video]',
      ...(hasAudio ? ['-map', '0:a:0', ...AAC] : ['-an']),
      '-t',
      String(maxSeconds),
      ...H264,
      ...(source.hdr ? SDR_TAGS : []),
      ...MP4_FASTSTART,
    ],
    frame: ['-map', '[frame]', '-frames:v', '1', ...PNG_FRAME],
  };
}

/** In-stream video: H.264 MP4 within the frame limits, cut to `trimToSeconds` when given. */
export function prerollVideoArgs(
  profile: PlatformProfile,
  hasAudio: boolean,
  trimToSeconds?: number,
  source: SourcePicture = {},
): string[] {
  const { maxWidth, maxHeight } = profile.preroll;
  const fit = `${sourceFilters(source)},scale=w='min(iw,${maxWidth})':h='min(ih,${maxHeight})':force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1`;
  return [
    '-map',
    '0:v:0',
    ...(hasAudio ? ['-map', '0:a:0', ...AAC] : ['-an']),
    ...(trimToSeconds === undefined ? [] : ['-t', String(trimToSeconds)]),
    '-vf',
    fit,
    ...H264,
    ...(source.hdr ? SDR_TAGS : []),
    ...MP4_FASTSTART,
  ];
}

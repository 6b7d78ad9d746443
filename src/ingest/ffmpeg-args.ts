import type { PlatformProfile } from '../config/profile.js';

/**
 * ffmpeg arguments for each conversion, one word per array element. Pure, so the benchmark's bare
 * commands run exactly what the pipeline runs.
 */

/** Centre-crop to the target aspect (no padding), then scale to the exact frame. */
export function cropAndScaleFilter(width: number, height: number): string {
  return `crop='min(iw,ih*${width}/${height})':'min(ih,iw*${height}/${width})',scale=${width}:${height}:flags=lanczos,setsar=1`;
}

const H264 = ['-c:v', 'libx264', '-preset', 'fast', '-crf', '21', '-pix_fmt', 'yuv420p', '-profile:v', 'high'];
const AAC = ['-c:a', 'aac', '-b:a', '128k', '-ac', '2'];
const MP4_FASTSTART = ['-movflags', '+faststart', '-f', 'mp4'];

export function nativeVideoArgs(profile: PlatformProfile, hasAudio: boolean): string[] {
  const { width, height, maxSeconds } = profile.native;
  return [
    '-map', '0:v:0',
    ...(hasAudio ? ['-map', '0:a:0', ...AAC] : ['-an']),
    '-t', String(maxSeconds),
    '-vf', cropAndScaleFilter(width, height),
    ...H264,
    ...MP4_FASTSTART,
  ];
}

/** The first frame, cropped and scaled like the video, as a lossless PNG for sharp to compress. */
export function nativeFrameArgs(profile: PlatformProfile): string[] {
  const { width, height } = profile.native;
  return ['-map', '0:v:0', '-frames:v', '1', '-vf', cropAndScaleFilter(width, height), '-c:v', 'png', '-f', 'image2'];
}


/** In-stream video: H.264 MP4 within the frame limits, cut to `trimToSeconds` when given. */
export function prerollVideoArgs(profile: PlatformProfile, hasAudio: boolean, trimToSeconds?: number): string[] {
  const { maxWidth, maxHeight } = profile.preroll;
  const fit = `scale=w='min(iw,${maxWidth})':h='min(ih,${maxHeight})':force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1`;
  return [
    '-map', '0:v:0',
    ...(hasAudio ? ['-map', '0:a:0', ...AAC] : ['-an']),
    ...(trimToSeconds === undefined ? [] : ['-t', String(trimToSeconds)]),
    '-vf', fit,
    ...H264,
    ...MP4_FASTSTART,
  ];
}

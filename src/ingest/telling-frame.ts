import type { MediaInfo } from '../core/record.js';
import type { StageContext } from './context.js';
import { nativeFrameArgs } from './ffmpeg-args.js';

/** A frame whose channels vary less than this (of 255) is one flat colour: a fade from black, a blank title card. */
const FLAT_SPREAD = 3;

/** Where to look after a flat first frame: a little further in each time, within the part the native video keeps. */
const LOOK_AT_SECONDS = [0.5, 1, 2, 3];

/**
 * Makes `frame` (the native video's first frame, cropped and scaled) one worth showing: when it is
 * one flat colour, frames a little further in are tried, and the first that is not replaces it. A
 * video flat throughout keeps its first frame. True when a later frame was taken.
 */
export async function tellingFrame(
  ctx: StageContext,
  input: string,
  media: MediaInfo,
  frame: string,
  withinSeconds: number,
): Promise<boolean> {
  if ((await ctx.media.pictureSpread(frame)) >= FLAT_SPREAD) return false;
  const later = ctx.storage.tempPathFor(frame);
  try {
    for (const seconds of LOOK_AT_SECONDS.filter((at) => at < withinSeconds)) {
      await ctx.media.runFfmpeg(
        {
          input,
          inputSeconds: seconds,
          inputOptions: ['-ss', String(seconds)],
          outputs: [{ path: later, options: ['-y', ...nativeFrameArgs(ctx.profile, media)] }],
        },
        ctx.signal,
      );
      if ((await ctx.storage.stat(later)) && (await ctx.media.pictureSpread(later)) >= FLAT_SPREAD) {
        await ctx.storage.replaceScratchFile(later, frame);
        return true;
      }
    }
    return false;
  } finally {
    await ctx.storage.remove(later);
  }
}

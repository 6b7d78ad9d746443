import { z } from 'zod';
import type { ExoLimits } from '../platform/exoclick/fit.js';

/**
 * Every limit of the platform lives here. Stages read them from the profile they are given, so a
 * second platform (ExoClick) is another profile, not a hunt through the code.
 */
const profileSchema = z
  .object({
    name: z.string().min(1),
    native: z.object({
      /** Output frame of a native video and its thumbnail. */
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      /** Native videos are cut to at most this many seconds. */
      maxSeconds: z.number().positive(),
      /** The thumbnail must not exceed this many bytes. */
      imageMaxBytes: z.number().int().positive(),
    }),
    preroll: z.object({
      /** In-stream videos must last between these, in seconds. */
      minSeconds: z.number().positive(),
      maxSeconds: z.number().positive(),
      /** A longer video is cut to this length (a little under the maximum, for frame rounding). */
      trimToSeconds: z.number().positive(),
      maxWidth: z.number().int().positive(),
      maxHeight: z.number().int().positive(),
      /** Containers and codecs that pass through unchanged. */
      containers: z.array(z.string()).min(1),
      videoCodecs: z.array(z.string()).min(1),
    }),
    image: z.object({
      /** Formats that may pass through byte for byte: only a still with nothing to strip or fix (see `src/ingest/convert-image.ts`). */
      formats: z.array(z.string()).min(1),
      maxWidth: z.number().int().positive(),
      maxHeight: z.number().int().positive(),
      maxBytes: z.number().int().positive(),
      /**
       * What an animated image (GIF, WebP, APNG, an AVIF or HEIF sequence) becomes. `still`: a still of its first frame
       * that is not blank (fully transparent or one flat colour), flagged for review. TJ takes images
       * as static banners; an animation worth keeping is dropped as a video.
       */
      animated: z.enum(['still']),
    }),
    input: z.object({
      /** Decoded pixels above this are refused as an image bomb (a HEIC's too, from its header, before it is decoded). */
      maxImagePixels: z.number().int().positive(),
      /**
       * An image narrower or shorter than this (after its EXIF orientation) is set aside: a tracking
       * pixel, a spacer or an icon, never a creative. 50 is the short side of the smallest banners
       * (320×50, 300×50).
       */
      minImageWidth: z.number().int().positive(),
      minImageHeight: z.number().int().positive(),
      /** A video's frame above this many pixels is refused: decoding it would hold a conversion slot and memory for long. */
      maxVideoPixels: z.number().int().positive(),
      /** A video longer than this is refused: an ad is seconds long, and a film dropped by mistake would hold a slot for an hour. */
      maxVideoSeconds: z.number().positive(),
    }),
  })
  .refine((p) => p.preroll.minSeconds < p.preroll.maxSeconds, {
    message: 'preroll.minSeconds must be below preroll.maxSeconds',
    path: ['preroll', 'minSeconds'],
  })
  .refine((p) => p.preroll.trimToSeconds >= p.preroll.minSeconds && p.preroll.trimToSeconds <= p.preroll.maxSeconds, {
    message: 'preroll.trimToSeconds must lie between minSeconds and maxSeconds',
    path: ['preroll', 'trimToSeconds'],
  });

export type PlatformProfile = z.infer<typeof profileSchema>;

/** TrafficJunky, as `TJ-CONTRACT.md` records it. */
export const TJ_PROFILE: PlatformProfile = {
  name: 'TrafficJunky',
  native: { width: 640, height: 360, maxSeconds: 4, imageMaxBytes: 300_000 },
  preroll: {
    minSeconds: 5,
    maxSeconds: 31,
    trimToSeconds: 30,
    maxWidth: 1920,
    maxHeight: 1080,
    containers: ['mp4'],
    videoCodecs: ['h264'],
  },
  image: { formats: ['jpeg', 'png', 'gif'], maxWidth: 1920, maxHeight: 1920, maxBytes: 2_000_000, animated: 'still' },
  // 8K is the largest frame a camera or an editor makes; an ad source is minutes long at most.
  input: {
    maxImagePixels: 100_000_000,
    minImageWidth: 50,
    minImageHeight: 50,
    maxVideoPixels: 7680 * 4320,
    maxVideoSeconds: 15 * 60,
  },
};

/**
 * ExoClick's limits, as `EXO-CONTRACT.md` records them; where it is unsure (native sizes), a
 * person changes the setting, not the code. A file outside them is not sent to ExoClick, and the
 * other platforms go on.
 */
export type ExoProfile = ExoLimits;

export const EXO_PROFILE: ExoProfile = {
  fileTypes: {
    'native-rollover': 'video_banner',
    'native-static': 'image',
    'in-stream': 'video',
    'static-banner': 'image',
  },
  imageMaxBytes: 150_000,
  imageFormats: ['png', 'jpeg', 'gif'],
  videoBannerMaxBytes: 150_000,
  videoMaxBytes: 50_000_000,
  videoFormats: ['mp4'],
};

/** Checks a profile, returning the dotted path of the first bad limit when there is one. */
export function validateProfile(
  profile: unknown,
): { ok: true; profile: PlatformProfile } | { ok: false; key: string; message: string } {
  const result = profileSchema.safeParse(profile);
  if (result.success) return { ok: true, profile: result.data };
  const issue = result.error.issues[0];
  return { ok: false, key: `profile.${issue?.path.join('.') ?? ''}`, message: issue?.message ?? 'is invalid' };
}

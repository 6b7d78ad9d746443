import { BadInputError, SourceChangedError } from '../core/errors.js';
import type { MediaInfo } from '../core/record.js';
import type { RawImage } from '../media/media.repository.js';
import type { StageContext } from './context.js';
import { encodingLadder, firstThatFits } from './fit-image.js';
import { blankness, iccDescription, isSrgbProfile, missingShare, privateBlocks } from './image-facts.js';
import { imageFailure } from './image-failure.js';

/** An image creative as it will be uploaded. */
export interface ImageCreative {
  /** The bytes to upload, re-encoded; undefined when the source itself goes up unchanged. */
  readonly data?: Buffer;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly notes: string[];
  /** What a person should look at: an animation uploaded as a still. */
  readonly review: string[];
}

type ImageHeader = Awaited<ReturnType<StageContext['media']['imageMetadata']>>;

/**
 * Makes an image creative from a probed image.
 *
 * The source goes up byte for byte only when nothing in it needs changing: a still in a format the
 * platform takes, within its limits, upright (no EXIF orientation to apply), 8-bit sRGB, and with
 * no private block (EXIF with its GPS position and camera, XMP, IPTC, comments, C2PA, a thumbnail,
 * bytes after the end: see {@link privateBlocks}). Everything else is re-encoded by sharp, which
 * turns the pixels upright once, converts them to 8-bit sRGB through their own profile, keeps
 * transparency in a PNG, and writes no metadata. A JPEG that only had EXIF is re-encoded too (at
 * quality 90): sharp has no lossless way to strip it, and a location must never leave. The `ORG_`
 * original keeps the source as it came.
 *
 * Animated images (GIF, WebP, APNG, AVIF and HEIF sequences) follow the profile's
 * `image.animated`: a still of the first frame that is not blank, flagged for review. An image that shows nothing (wholly
 * transparent, or one flat colour) is refused, whichever way it went.
 */
export async function makeImageCreative(
  ctx: StageContext,
  label: string,
  media: MediaInfo,
  input: string,
  sourceBytes: number,
): Promise<ImageCreative> {
  try {
    return await make(ctx, label, media, input, sourceBytes);
  } catch (error) {
    throw await imageFailure(error, ctx, input, label);
  }
}

async function make(
  ctx: StageContext,
  label: string,
  media: MediaInfo,
  input: string,
  sourceBytes: number,
): Promise<ImageCreative> {
  const { image } = ctx.profile;
  const still: Still = media.animated ? await firstShownFrame(ctx, label, media, input) : { page: 0, review: [] };
  // The frame ffmpeg took from an APNG or an image sequence stands for the file from here on.
  const source = still.frame ?? input;
  const header = await ctx.media.imageMetadata(source);
  const heic = header.compression === 'hevc';
  const changes: string[] = [];
  if (!image.formats.includes(media.format)) changes.push(`format ${media.format}`);
  if (media.width > image.maxWidth || media.height > image.maxHeight)
    changes.push(`${media.width}×${media.height} scaled to fit ${image.maxWidth}×${image.maxHeight}`);
  if (sourceBytes > image.maxBytes) changes.push(`${sourceBytes} bytes over ${image.maxBytes}`);
  if ((header.orientation ?? 1) !== 1) changes.push(`turned upright (EXIF orientation ${header.orientation})`);
  changes.push(...colourChanges(header));
  if (media.animated) changes.push(`animated: a still of one frame`);
  // A HEIC is decoded from its bytes; a file that may pass through is read whole to look for private blocks.
  const readWhole = heic || changes.length === 0;
  const bytes = readWhole ? await ctx.storage.readBytes(input) : undefined;
  if (readWhole && !bytes) throw new SourceChangedError('The file left inbox/ before it was converted', label);
  const blocks = !heic && bytes ? privateBlocks(bytes, media.format) : [];
  if (blocks.length > 0) changes.push(`removed ${blocks.join(', ')}`);

  if (changes.length === 0) {
    refuseBlank(await ctx.media.imageSpan(input, ctx.signal), label);
    return {
      format: media.format,
      width: media.width,
      height: media.height,
      notes: ['passed through unchanged: nothing in it to strip or fix'],
      review: [],
    };
  }
  if (heic && bytes) {
    const missing = missingShare(bytes);
    if (missing > 0)
      throw new BadInputError(
        `The HEIC photo is cut short: ${Math.max(1, Math.round(missing * 100))}% of it is missing`,
        label,
        'Replace it with a complete copy and drop it again.',
      );
  }
  // A PNG or GIF that only needs fixing stays lossless; a large one, like any photo, becomes a JPEG.
  const format =
    media.hasAlpha || (['png', 'gif'].includes(media.format) && sourceBytes <= image.maxBytes) ? 'png' : 'jpeg';
  const resize = { width: image.maxWidth, height: image.maxHeight, fit: 'inside' as const };
  // The first encoding streams from the file, shrinking on load, and nearly always fits. Only a
  // still that does not is decoded to pixels, once, for the rest of the ladder: holding 8 MB of
  // pixels per image costs a tenth of the batch's time in copies and collections. A HEIC is
  // decoded once, first: its decoder cannot shrink on load.
  let decoded: Promise<RawImage> | undefined =
    heic && bytes ? ctx.media.decodeImage(bytes, resize, { signal: ctx.signal }) : undefined;
  const encoded = await firstThatFits(
    (render, rung) =>
      rung === 0 && !decoded
        ? ctx.media.renderImageToBuffer(source, { ...render, resize, page: still.page }, ctx.signal)
        : (decoded ??= ctx.media.decodeImage(source, resize, { page: still.page, signal: ctx.signal })).then((pixels) =>
            ctx.media.renderImageToBuffer(pixels, render),
          ),
    encodingLadder(format),
    image.maxBytes,
  );
  if (!encoded)
    throw new BadInputError(
      `No ${format} encoding of the image fits in ${image.maxBytes} bytes`,
      label,
      'Export a smaller image and drop it again.',
    );
  refuseBlank(await ctx.media.imageSpan(encoded.data), label);
  const meta = await ctx.media.imageMetadataOf(encoded.data);
  const notes = [`converted to ${format}: ${changes.join('; ')}`, ...still.review];
  if (encoded.render.formatOptions?.palette) notes.push('reduced to a palette PNG to fit the size limit');
  return { data: encoded.data, format, width: meta.width, height: meta.height, notes, review: still.review };
}

/** Why the colours must be converted: CMYK, another space, 16 bits, or a profile other than sRGB. */
function colourChanges(header: ImageHeader): string[] {
  const changes: string[] = [];
  if (header.space === 'cmyk') changes.push('CMYK to sRGB');
  else if (!['srgb', 'b-w', 'rgb16', 'grey16'].includes(header.space)) changes.push(`${header.space} colour to sRGB`);
  if (header.depth === 'ushort') changes.push('16-bit to 8-bit');
  const profile = header.icc && header.space !== 'cmyk' ? iccDescription(header.icc) : undefined;
  if (header.icc && header.space !== 'cmyk' && !isSrgbProfile(profile))
    changes.push(`${profile ?? 'its colour profile'} to sRGB`);
  return changes;
}

/** How many frames of an APNG or an image sequence are looked at for one that shows something. */
const FRAMES_LOOKED_AT = 600;

/** The frame an animation is uploaded as: a page sharp reads, or a frame ffmpeg decoded. */
interface Still {
  readonly page: number;
  readonly frame?: Buffer;
  readonly review: string[];
}

/**
 * The first frame of an animation that shows something (not wholly transparent, not one flat
 * colour), the same for every animated format. sharp steps through the frames of a GIF or a WebP;
 * of an APNG or an AVIF or HEIF image sequence it reads only the first (or none), so ffmpeg
 * decodes those, and the frame it finds is handed on as a PNG.
 */
async function firstShownFrame(ctx: StageContext, label: string, media: MediaInfo, input: string): Promise<Still> {
  const kind = `animated ${media.format.toUpperCase()}`;
  const bySharp = ['gif', 'webp'].includes(media.format);
  const spans = bySharp
    ? await ctx.media.frameSpans(input)
    : await ctx.media.animationSpans(input, FRAMES_LOOKED_AT, ctx.signal);
  const page = spans.findIndex((span) => blankness(span) === undefined);
  const counted =
    !bySharp && spans.length === FRAMES_LOOKED_AT ? `the first ${FRAMES_LOOKED_AT}` : String(spans.length);
  if (page < 0)
    throw new BadInputError(
      `Every frame of the ${kind} is blank (${blankness(spans[0] ?? { hasAlpha: false, channels: [] })})`,
      label,
      'An image creative must show something; drop the image you meant.',
    );
  const review = [`${kind}: uploaded as a still of frame ${page + 1} of ${counted}`];
  return bySharp
    ? { page, review }
    : {
        page: 0,
        frame: await ctx.media.animationFrame(
          input,
          page,
          { width: ctx.profile.image.maxWidth, height: ctx.profile.image.maxHeight },
          ctx.signal,
        ),
        review,
      };
}

function refuseBlank(span: Parameters<typeof blankness>[0], label: string): void {
  const blank = blankness(span);
  if (blank)
    throw new BadInputError(
      `The image shows nothing: it is ${blank}`,
      label,
      'An image creative must show something; drop the image you meant.',
    );
}

import { BadInputError } from '../core/errors.js';
import type { MediaInfo } from '../core/record.js';
import type { StageContext } from './context.js';
import { HEIF_SEQUENCE_BRANDS, HEIF_STILL_BRANDS, fileBrands, isAnimatedPng } from './image-facts.js';
import { imageFailure } from './image-failure.js';

/** Bytes of a PNG read to find an APNG's animation chunk, which comes before the first picture data. */
const PNG_HEAD_BYTES = 64 * 1024;

/**
 * What an image is, from its header alone: its size as a viewer shows it (turned by its EXIF
 * orientation), its format (a HEIF is named by what it holds: `heic` for HEVC, `avif` for AV1),
 * whether it has transparency or is animated. Refuses an image bomb (the pixel ceiling) and an image
 * too small to be a creative before a pixel is decoded.
 */
export async function inspectImage(file: string, label: string, ctx: StageContext, head: Buffer): Promise<MediaInfo> {
  // libvips reads no image sequence: an animated AVIF or HEIF is measured by ffprobe.
  if (HEIF_SEQUENCE_BRANDS.includes(fileBrands(head)[0] ?? '')) return inspectSequence(file, label, ctx);
  let meta;
  try {
    meta = await ctx.media.imageMetadata(file);
  } catch (error) {
    throw await imageFailure(error, ctx, file, label);
  }
  // A phone photo stored 4032×3024 with EXIF orientation 6 is shown, and converted, as 3024×4032.
  const { width = 0, height = 0 } = meta.autoOrient ?? meta;
  refuseOutOfSize(width, height, label, ctx);
  const format =
    meta.format === 'heif'
      ? (({ hevc: 'heic', av1: 'avif' } as Record<string, string>)[meta.compression ?? ''] ?? 'heif')
      : meta.format;
  // A HEIF's "pages" are its separate pictures, not frames (a sequence was told by its brand above).
  const animated =
    meta.format === 'png'
      ? isAnimatedPng(await ctx.storage.readHead(file, PNG_HEAD_BYTES))
      : meta.format !== 'heif' && (meta.pages ?? 1) > 1;
  return { type: 'image', format, width, height, hasAlpha: meta.hasAlpha, animated };
}

/** An AVIF or HEIF image sequence (brand `avis`, `msf1`…), by its picture track: its frames are decoded by ffmpeg too. */
async function inspectSequence(file: string, label: string, ctx: StageContext): Promise<MediaInfo> {
  let container;
  try {
    container = await ctx.media.probe(file, ctx.signal);
  } catch (error) {
    throw await imageFailure(error, ctx, file, label);
  }
  const picture = container.streams.find((stream) => stream.type === 'video');
  const format = ({ av1: 'avif', hevc: 'heic' } as Record<string, string>)[picture?.codec ?? ''];
  if (!picture || !format) {
    const held = picture ? ` (it holds ${picture.codec})` : '';
    throw new BadInputError(
      `The image sequence holds no AV1 or HEVC picture${held}`,
      label,
      'Export it as a GIF, or as a video, and drop that.',
    );
  }
  const turned = picture.rotation === 90 || picture.rotation === 270;
  const [width, height] = turned ? [picture.height, picture.width] : [picture.width, picture.height];
  refuseOutOfSize(width, height, label, ctx);
  // Transparency, when a sequence has any, is a second track ffmpeg does not join to the first: its frames come out opaque.
  return { type: 'image', format, width, height, hasAlpha: false, animated: true };
}

/** Refuses an image bomb (the pixel ceiling) and an image too small to be a creative, from the size its header claims. */
function refuseOutOfSize(width: number, height: number, label: string, ctx: StageContext): void {
  if (width <= 0 || height <= 0)
    throw new BadInputError(
      'The image has no size in its header',
      label,
      'Open it in an image editor, export it as PNG or JPEG, and drop that.',
    );
  const megapixels = (width * height) / 1e6;
  const { maxImagePixels: limit, minImageWidth, minImageHeight } = ctx.profile.input;
  if (width * height > limit) {
    throw new BadInputError(
      `The image claims ${width}×${height} pixels (${megapixels.toFixed(0)} megapixels), over the ${(limit / 1e6).toFixed(0)}-megapixel limit`,
      label,
      'Export it at a normal size; the limit protects the machine from image bombs.',
    );
  }
  if (width < minImageWidth || height < minImageHeight) {
    throw new BadInputError(
      `The image is ${width}×${height} pixels, under the ${minImageWidth}×${minImageHeight} minimum: too small to be a creative (a tracking pixel, a spacer or an icon)`,
      label,
      'Drop the creative itself, at its full size.',
    );
  }
}

/** Whether the file's first bytes are an image's signature: a HEIF (HEIC, AVIF) by its brands, whatever its name. */
export function looksLikeImage(head: Buffer): boolean {
  const ascii = head.toString('latin1');
  const brands = fileBrands(head);
  return (
    head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ||
    head.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])) ||
    ascii.startsWith('GIF87a') ||
    ascii.startsWith('GIF89a') ||
    (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') ||
    ascii.startsWith('II*\0') ||
    ascii.startsWith('MM\0*') ||
    HEIF_SEQUENCE_BRANDS.includes(brands[0] ?? '') ||
    brands.some((brand) => HEIF_STILL_BRANDS.includes(brand))
  );
}

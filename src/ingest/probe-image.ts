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
  let meta;
  try {
    meta = await ctx.media.imageMetadata(file);
  } catch (error) {
    throw await imageFailure(error, ctx, file, label);
  }
  // A phone photo stored 4032×3024 with EXIF orientation 6 is shown, and converted, as 3024×4032.
  const { width = 0, height = 0 } = meta.autoOrient ?? meta;
  if (width <= 0 || height <= 0) throw new BadInputError('The image has no size in its header', label, 'Open it in an image editor, export it as PNG or JPEG, and drop that.');
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
  const format = meta.format === 'heif' ? ({ hevc: 'heic', av1: 'avif' } as Record<string, string>)[meta.compression ?? ''] ?? 'heif' : meta.format;
  // A HEIF's "pages" are its separate pictures, not frames: an image sequence is told by its brand.
  const animated =
    meta.format === 'heif'
      ? HEIF_SEQUENCE_BRANDS.includes(fileBrands(head)[0] ?? '')
      : meta.format === 'png'
        ? isAnimatedPng(await ctx.storage.readHead(file, PNG_HEAD_BYTES))
        : (meta.pages ?? 1) > 1;
  return { type: 'image', format, width, height, hasAlpha: meta.hasAlpha, animated };
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

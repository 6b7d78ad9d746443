import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

/**
 * Images as phones and editors leave them, made by sharp and ffmpeg: turned by an EXIF
 * orientation, carrying a GPS position, in CMYK, in 16 bits, in Display P3, animated, blank. The
 * tests and the benchmark's real-media drop read what conversion makes of them.
 */

export interface SamplePhoto {
  /** As stored, before any orientation; default 400×300. */
  readonly width?: number;
  readonly height?: number;
  readonly format?: 'jpeg' | 'png' | 'webp' | 'tiff';
  /** EXIF orientation written into the file (6: shown turned a quarter clockwise). */
  readonly orientation?: number;
  /** A GPS position, a camera and an editor in its EXIF. */
  readonly private?: boolean;
  /** `p3` stores Display P3 values with their profile; `rgb16` 16 bits per channel (PNG, TIFF). */
  readonly colour?: 'srgb' | 'cmyk' | 'p3' | 'rgb16' | 'p3-16';
  /** `gradient` (default) shows something; `cutout` is a gradient whose left half is transparent; `flat` is one colour; `transparent` shows nothing. */
  readonly fill?: 'gradient' | 'cutout' | 'flat' | 'transparent';
}

/** RGBA pixels: a red-to-blue gradient with a bright band (or one colour, or nothing), a frame of which differs by `shift`. */
export function pixels(width: number, height: number, fill: SamplePhoto['fill'] = 'gradient', shift = 0): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 4;
      const band = Math.abs(x - ((shift * 17) % width)) < width / 10;
      if (fill === 'gradient' || fill === 'cutout')
        data.set(
          [
            Math.round((255 * x) / width),
            band ? 255 : 40,
            Math.round((255 * y) / height),
            fill === 'cutout' && x < width / 2 ? 0 : 255,
          ],
          at,
        );
      else if (fill === 'flat') data.set([200, 30, 60, 255], at);
      else data.set([0, 0, 0, 0], at);
    }
  }
  return data;
}

export async function makePhoto(file: string, options: SamplePhoto = {}): Promise<string> {
  const { width = 400, height = 300, format = 'jpeg', orientation, colour = 'srgb', fill = 'gradient' } = options;
  let image = sharp(pixels(width, height, fill), { raw: { width, height, channels: 4 } });
  if (!['transparent', 'cutout'].includes(fill) || format === 'jpeg') image = image.removeAlpha();
  if (colour === 'cmyk') image = image.toColourspace('cmyk');
  if (colour === 'p3' || colour === 'p3-16') image = image.withIccProfile('p3');
  if (colour === 'rgb16' || colour === 'p3-16') image = image.toColourspace('rgb16');
  if (orientation !== undefined) image = image.withMetadata({ orientation });
  if (options.private) {
    image = image.withExifMerge({
      IFD0: { Make: 'Google', Model: 'Pixel 7', Software: 'Adobe Photoshop 25.0' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 2964/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 17/1 4020/100',
      },
    });
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await image.toFormat(format, format === 'jpeg' ? { quality: 90 } : {}).toFile(file);
  return file;
}

/**
 * An animation: `blank` frames first (fully transparent and one flat colour in turn: encoders merge
 * frames that repeat), then `frames` that show something. sharp writes the GIF and the WebP; ffmpeg
 * the APNG and the AVIF image sequence (brand `avis`, with its first frame as the still), from the
 * same pixels. An AVIF keeps no transparency here: a transparent frame comes out black.
 */
export async function makeAnimation(
  file: string,
  options: {
    format: 'gif' | 'webp' | 'apng' | 'avif';
    frames?: number;
    blank?: number;
    width?: number;
    height?: number;
  },
): Promise<string> {
  const { format, frames = 4, blank = 0, width = 160, height = 120 } = options;
  await fs.mkdir(path.dirname(file), { recursive: true });
  const all = Buffer.concat(
    Array.from({ length: blank + frames }, (_, index) =>
      pixels(width, height, index >= blank ? 'gradient' : index % 2 === 0 ? 'transparent' : 'flat', index),
    ),
  );
  if (format === 'gif' || format === 'webp') {
    await sharp(all, { raw: { width, height: height * (blank + frames), channels: 4, pageHeight: height } })
      .toFormat(format, { loop: 0, delay: Array.from({ length: blank + frames }, () => 100) })
      .toFile(file);
    return file;
  }
  const raw = `${file}.rgba`;
  await fs.writeFile(raw, all);
  const encoder =
    format === 'apng'
      ? ['-plays', '0', '-f', 'apng']
      : ['-c:v', 'libaom-av1', '-cpu-used', '8', '-pix_fmt', 'yuv420p', '-f', 'avif'];
  try {
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      `${width}x${height}`,
      '-r',
      '5',
      '-i',
      raw,
      ...encoder,
      file,
    ]);
  } finally {
    await fs.rm(raw, { force: true });
  }
  return file;
}

import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT } from './cli-runner.js';

export { makeAnimation, makePhoto, pixels, type SamplePhoto } from '../bench/sample-photos.js';

/** The real iPhone HEIC beside the repository (`../shared/fixtures/`), or undefined in a clone without it. */
export const SHARED_HEIC = path.resolve(REPO_ROOT, '../shared/fixtures/iphone-photo.heic');

export async function sharedHeic(): Promise<string | undefined> {
  return (await fs.stat(SHARED_HEIC).catch(() => undefined)) ? SHARED_HEIC : undefined;
}

/** What a test reads of an output: its size, channels, colour space, depth, and whether any EXIF (with GPS or a camera) is left. */
export async function outputFacts(file: string): Promise<{
  format: string;
  width: number;
  height: number;
  channels: number;
  space: string;
  depth: string;
  exif: boolean;
  gps: boolean;
  camera: boolean;
  orientation: number | undefined;
  icc: boolean;
  pages: number;
}> {
  const meta = await sharp(file).metadata();
  const exif = meta.exif?.toString('latin1') ?? '';
  return {
    format: meta.format,
    width: meta.width,
    height: meta.height,
    channels: meta.channels,
    space: meta.space,
    depth: meta.depth,
    exif: meta.exif !== undefined,
    // The GPS block's pointer tag (0x8825), in either byte order.
    gps: exif.includes('\x88\x25') || exif.includes('\x25\x88'),
    camera: exif.includes('Pixel 7'),
    orientation: meta.orientation,
    icc: meta.hasProfile,
    pages: meta.pages ?? 1,
  };
}

/** The mean colour of an image's pixels, as sRGB. */
export async function meanColour(file: string): Promise<number[]> {
  const { channels } = await sharp(file).stats();
  return channels.slice(0, 3).map((channel) => Math.round(channel.mean));
}

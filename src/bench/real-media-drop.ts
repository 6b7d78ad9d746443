import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeAnimation, makePhoto } from './sample-photos.js';

const run = promisify(execFile);

async function ffmpeg(args: readonly string[]): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', ...args]);
}

/** Four vertical bands, red, green, blue, white, a quarter of the coded width each: where a crop was taken shows in the colours left. */
function bands(width: number, height: number, seconds: number, then = ''): string[] {
  const colours = ['red', 'lime', 'blue', 'white'];
  return [
    ...colours.flatMap((colour) => [
      '-f',
      'lavfi',
      '-i',
      `color=${colour}:size=${width / 4}x${height}:duration=${seconds}:rate=25`,
    ]),
    '-filter_complex',
    `[0][1][2][3]hstack=inputs=4${then}`,
  ];
}

/** A 2-s 10-bit BT.2020 clip tagged with an HDR transfer (`smpte2084`, PQ; `arib-std-b67`, HLG). */
function hdrClip(transfer: string, file: string): string[] {
  const tags = ['-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc'];
  return [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=25:duration=2',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p10le',
    ...tags,
    file,
  ];
}

/**
 * One of each kind of file real phones and editors make, into `inbox`: the drop the real-media
 * test checks and the benchmark times. `heic` is a real iPhone photo to copy in, where there is one.
 * Returns the inbox paths, relative to the root (`inbox/…`).
 */
export async function dropRealMedia(inbox: string, scratch: string, heic?: string): Promise<string[]> {
  await fs.mkdir(path.join(inbox, 'preroll'), { recursive: true });
  await fs.mkdir(scratch, { recursive: true });
  // Videos. 640×360 coded with 2:1 pixels: a player shows 1280×360.
  await ffmpeg([
    ...bands(640, 360, 2, ',setsar=2/1'),
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    path.join(inbox, 'anamorphic.mp4'),
  ]);
  // A phone's portrait clip: stored 640×360, turned a quarter by its display matrix.
  const landscape = path.join(scratch, 'landscape.mp4');
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=25:duration=6',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    landscape,
  ]);
  await ffmpeg([
    '-i',
    landscape,
    '-c',
    'copy',
    '-metadata:s:v:0',
    'rotate=90',
    path.join(inbox, 'preroll', 'portrait.mp4'),
  ]);
  // HDR as a phone records it: 10-bit, BT.2020, PQ (HDR10) or hybrid log-gamma (HLG).
  await ffmpeg(hdrClip('smpte2084', path.join(inbox, 'hdr.mp4')));
  await ffmpeg(hdrClip('arib-std-b67', path.join(inbox, 'hlg.mov')));
  // A Matroska file cut short: its header says 20 s, it holds about 2.
  const whole = path.join(scratch, 'whole.mkv');
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25:duration=20',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    whole,
  ]);
  const bytes = await fs.readFile(whole);
  await fs.writeFile(path.join(inbox, 'cut.mkv'), bytes.subarray(0, Math.floor(bytes.length / 10)));
  // Fades in from black: its first frame is no thumbnail.
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=25:duration=3',
    '-vf',
    'fade=in:st=0.4:d=0.1',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    path.join(inbox, 'fade-in.mp4'),
  ]);
  // Images. A Pixel photo taken upright: stored 4032×3024, EXIF orientation 6, with its GPS position.
  await makePhoto(path.join(inbox, 'pixel-upright.jpg'), { width: 4032, height: 3024, orientation: 6, private: true });
  await makePhoto(path.join(inbox, 'print-cmyk.jpg'), { width: 600, height: 400, colour: 'cmyk' });
  await makePhoto(path.join(inbox, 'editor-16bit.png'), { width: 600, height: 400, format: 'png', colour: 'rgb16' });
  await makePhoto(path.join(inbox, 'tracking-pixel.png'), { width: 1, height: 1, format: 'png', fill: 'transparent' });
  // One animation of each kind, each opening on two blank frames: the still must be frame 3.
  await makeAnimation(path.join(inbox, 'animated.gif'), { format: 'gif', frames: 3, blank: 2 });
  await makeAnimation(path.join(inbox, 'animated-webp.webp'), { format: 'webp', frames: 3, blank: 2 });
  await makeAnimation(path.join(inbox, 'animated-apng.png'), { format: 'apng', frames: 3, blank: 2 });
  await makeAnimation(path.join(inbox, 'animated-sequence.avif'), { format: 'avif', frames: 3, blank: 2 });
  const dropped = [
    ...['anamorphic.mp4', 'preroll/portrait.mp4', 'hdr.mp4', 'hlg.mov', 'cut.mkv', 'fade-in.mp4'],
    ...['pixel-upright.jpg', 'print-cmyk.jpg', 'editor-16bit.png', 'tracking-pixel.png'],
    ...['animated.gif', 'animated-webp.webp', 'animated-apng.png', 'animated-sequence.avif'],
  ];
  if (heic) {
    await fs.copyFile(heic, path.join(inbox, 'iphone.heic'));
    dropped.push('iphone.heic');
  }
  return dropped.map((name) => `inbox/${name}`);
}

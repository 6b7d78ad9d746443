import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const run = promisify(execFile);

/** TJ's real library export of 746 creatives (a copy of shared/examples/), resolved from src/ or dist/. */
export const EXAMPLE_LIBRARY_CSV = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/test/data/TJ_Creative_Library.csv');

/** A fresh root folder for one test. */
export async function tempRoot(prefix = 'cf-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export interface VideoOptions {
  readonly seconds?: number;
  readonly width?: number;
  readonly height?: number;
  readonly audio?: boolean;
  /** `libx264` (default), `mpeg4`… */
  readonly codec?: string;
  /** Moves the index to the front, as a streaming copy has it. */
  readonly faststart?: boolean;
  /** testsrc2 pattern seed, so two videos of the same shape differ in content. */
  readonly seed?: number;
}

/** A video made by ffmpeg's lavfi test sources. */
export async function makeVideo(file: string, options: VideoOptions = {}): Promise<string> {
  const { seconds = 2, width = 320, height = 240, audio = false, codec = 'libx264', faststart = false, seed = 0 } = options;
  await fs.mkdir(path.dirname(file), { recursive: true });
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=25,hue=h=${seed % 360}`];
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=${440 + seed}:sample_rate=44100`);
  args.push('-t', String(seconds), '-c:v', codec);
  if (codec === 'libx264') args.push('-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (audio) args.push('-c:a', 'aac', '-shortest');
  if (faststart) args.push('-movflags', '+faststart');
  args.push(file);
  await run('ffmpeg', args);
  return file;
}

/** Random-noise video: its first frame does not compress, which forces the thumbnail's palette path. */
export async function makeNoiseVideo(file: string, seconds = 2): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'nullsrc=size=1280x720:rate=25,geq=random(1)*255:128:128', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file]);
  return file;
}

export async function makeAudio(file: string, seconds = 2): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', String(seconds), file]);
  return file;
}

/** An image made by sharp; `seed` varies its colour, so two images differ in content. */
export async function makeImage(file: string, options: { width?: number; height?: number; format?: 'png' | 'jpeg' | 'webp'; seed?: number } = {}): Promise<string> {
  const { width = 64, height = 48, format = 'png', seed = 0 } = options;
  await fs.mkdir(path.dirname(file), { recursive: true });
  const background = { r: seed % 256, g: Math.floor(seed / 256) % 256, b: Math.floor(seed / 65536) % 256 };
  await sharp({ create: { width, height, channels: 3, background } }).toFormat(format).toFile(file);
  return file;
}

/** A PNG whose header claims `width`×`height` pixels but holds almost no data: an image bomb. */
export async function makeImageBomb(file: string, width = 30_000, height = 30_000): Promise<string> {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, png);
  return file;
}

/** Keeps the first `fraction` of a file, as an interrupted copy does. */
export async function truncateFile(file: string, fraction = 0.5): Promise<void> {
  const { size } = await fs.stat(file);
  await fs.truncate(file, Math.floor(size * fraction));
}

export async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

/** Every file below `dir`, relative to it, sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

export async function ffprobeJson(file: string): Promise<{ streams: { codec_type: string; codec_name: string; width?: number; height?: number }[]; format: { duration: string; format_name: string } }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]);
  return JSON.parse(stdout);
}

/** Polls until `check` returns a value (not undefined or false), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  what = 'condition',
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { openMedia } from '../media/ffmpeg-binaries.js';
import { SampleMedia, type SampleImage, type SampleVideo } from '../media/sample-media.js';
import { StorageRepository } from '../store/storage.repository.js';

const run = promisify(execFile);

/** TJ's real library export of 746 creatives (a copy of shared/examples/), resolved from src/ or dist/. */
export const EXAMPLE_LIBRARY_CSV = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../src/test/data/TJ_Creative_Library.csv',
);

/** A campaign CSV TJ_tool was fed (a copy of shared/examples/): TJ's native format, as written by the old scripts. */
export const EXAMPLE_NATIVE_CSV = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../src/test/data/Batch001_20251113_121321_Native.csv',
);

/** A port free on loopback right now, for a server a test starts in another process. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A fresh root folder for one test. */
export async function tempRoot(prefix = 'cf-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

const samples = new SampleMedia(openMedia(), new StorageRepository());

/** A video made by ffmpeg's lavfi test sources. */
export function makeVideo(file: string, options: SampleVideo = {}): Promise<string> {
  return samples.video(file, options);
}

/** Random-noise video: its first frame does not compress, which forces the thumbnail's palette path. */
export function makeNoiseVideo(file: string, seconds = 2): Promise<string> {
  return samples.noiseVideo(file, seconds);
}

export function makeAudio(file: string, seconds = 2): Promise<string> {
  return samples.audio(file, seconds);
}

/** An image made by sharp; `seed` varies its colour, so two images differ in content. */
export function makeImage(file: string, options: SampleImage = {}): Promise<string> {
  return samples.image(file, options);
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
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

/** Every file below `dir`, relative to it, sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

export async function ffprobeJson(file: string): Promise<{
  streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
  format: { duration: string; format_name: string };
}> {
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

/**
 * `promise`, or a failure naming `what` once `ms` have passed: a deadline, never a decider. The
 * test waits for the event itself; a stop that does not stop, or a wait with no ceiling, shows as
 * this failure rather than as a hung test.
 */
export async function within<T>(promise: Promise<T>, ms: number, what = 'the awaited event'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)),
  );
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
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

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CreativeRecord } from '../core/record.js';
import { tempRoot } from './fixtures.js';
import { allRecords, processRoot } from './harness.js';

const run = promisify(execFile);

/** Four vertical bands, red, green, blue, white, each a quarter of the coded width: where a crop was taken shows in the colours left. */
const BANDS = (width: number, height: number, seconds: number, then = ''): string[] => [
  '-f', 'lavfi', '-i', `color=red:size=${width / 4}x${height}:duration=${seconds}:rate=25`,
  '-f', 'lavfi', '-i', `color=lime:size=${width / 4}x${height}:duration=${seconds}:rate=25`,
  '-f', 'lavfi', '-i', `color=blue:size=${width / 4}x${height}:duration=${seconds}:rate=25`,
  '-f', 'lavfi', '-i', `color=white:size=${width / 4}x${height}:duration=${seconds}:rate=25`,
  '-filter_complex', `[0][1][2][3]hstack=inputs=4${then}`,
];

async function ffmpeg(args: readonly string[]): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', ...args]);
}

interface Probed {
  streams: { codec_type: string; width?: number; height?: number; sample_aspect_ratio?: string; color_transfer?: string; pix_fmt?: string; side_data_list?: unknown[] }[];
  format: { duration: string };
}

async function probe(file: string): Promise<Probed> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]);
  return JSON.parse(stdout) as Probed;
}

/** The colour of a PNG's pixel, as [r, g, b]. */
async function pixel(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at] ?? 0, data[at + 1] ?? 0, data[at + 2] ?? 0];
}

describe('real media from phones and editors: videos', () => {
  let root: string;
  let records: CreativeRecord[];
  const recordOf = (source: string): CreativeRecord => {
    const record = records.find((candidate) => candidate.source.path === source);
    if (!record) throw new Error(`no record for ${source}`);
    return record;
  };
  const output = (source: string, role: string): string => path.join(root, recordOf(source).outputs?.find((each) => each.role === role)?.path ?? '');

  beforeAll(async () => {
    root = await tempRoot();
    const inbox = path.join(root, 'inbox');
    await fs.mkdir(path.join(inbox, 'preroll'), { recursive: true });
    // 640×360 coded with 2:1 pixels: a player shows 1280×360.
    await ffmpeg([...BANDS(640, 360, 2, ',setsar=2/1'), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', path.join(inbox, 'anamorphic.mp4')]);
    // A phone's portrait clip: stored 640×360, turned a quarter by its display matrix.
    const landscape = path.join(root, 'landscape.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=6', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', landscape]);
    await ffmpeg(['-i', landscape, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', path.join(inbox, 'preroll', 'portrait.mp4')]);
    // HDR10 as a phone records it: 10-bit, BT.2020, PQ.
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', path.join(inbox, 'hdr.mp4')]);
    // A Matroska file cut short: its header says 20 s, it holds about 2.
    const whole = path.join(root, 'whole.mkv');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=20', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', whole]);
    const bytes = await fs.readFile(whole);
    await fs.writeFile(path.join(inbox, 'cut.mkv'), bytes.subarray(0, Math.floor(bytes.length / 10)));
    // Fades in from black: its first frame is no thumbnail.
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=3', '-vf', 'fade=in:st=0.4:d=0.1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', path.join(inbox, 'fade-in.mp4')]);
    records = await allRecords(await processRoot(root));
  });

  it('crops an anamorphic video from what a player shows, into square pixels', async () => {
    const record = recordOf('inbox/anamorphic.mp4');
    expect(record.media).toMatchObject({ width: 1280, height: 360, sampleAspect: 2 });
    const video = (await probe(output('inbox/anamorphic.mp4', 'video'))).streams[0];
    expect(video).toMatchObject({ width: 640, height: 360 });
    expect(video?.sample_aspect_ratio ?? '1:1').toBe('1:1');
    // The centre 16:9 of 1280×360 holds the green and blue bands only; the coded frame squeezed would show red at the left.
    const [r, g, b] = await pixel(output('inbox/anamorphic.mp4', 'image'), 4, 180);
    expect(g).toBeGreaterThan(200);
    expect(r).toBeLessThan(60);
    expect(b).toBeLessThan(60);
  });

  it('turns a portrait clip upright for good: the output is portrait and carries no rotation to apply twice', async () => {
    const record = recordOf('inbox/preroll/portrait.mp4');
    expect(record.media).toMatchObject({ width: 360, height: 640, rotation: 90 });
    expect(record.notes?.join(' ')).toMatch(/turned 90° upright/);
    const video = (await probe(output('inbox/preroll/portrait.mp4', 'creative'))).streams.find((stream) => stream.codec_type === 'video');
    expect(video).toMatchObject({ width: 360, height: 640 });
    expect(video?.side_data_list ?? []).toEqual([]);
  });

  it('tone-maps HDR to SDR BT.709 for the native video and its thumbnail', async () => {
    expect(recordOf('inbox/hdr.mp4').media?.hdr).toBe('pq');
    const video = (await probe(output('inbox/hdr.mp4', 'video'))).streams[0];
    expect(video).toMatchObject({ pix_fmt: 'yuv420p', color_transfer: 'bt709' });
    // testsrc2's frame is colourful: tone-mapped, it keeps colour; shown raw as SDR it would be grey.
    const { channels } = await sharp(output('inbox/hdr.mp4', 'image')).stats();
    expect(Math.max(...channels.slice(0, 3).map((channel) => channel.stdev))).toBeGreaterThan(30);
  });

  it('makes a file cut short from what it holds, named with its real length, and flags it damaged', async () => {
    const record = recordOf('inbox/cut.mkv');
    expect(record.state).toBe('staged');
    expect(record.media?.claimedDurationSec).toBe(20);
    expect(record.media?.durationSec).toBeLessThan(4);
    expect(record.naming?.review.join('; ')).toMatch(/damaged: the file holds [1-3](\.\d)? s of a claimed 20 s/);
    expect(path.basename(output('inbox/cut.mkv', 'video'))).toMatch(/_[1-3]sec_/);
  });

  it('takes the thumbnail a little further in when the first frame is one flat colour', async () => {
    const { channels } = await sharp(output('inbox/fade-in.mp4', 'image')).stats();
    expect(Math.max(...channels.map((channel) => channel.stdev))).toBeGreaterThan(10);
    expect(recordOf('inbox/fade-in.mp4').notes?.join(' ')).toMatch(/thumbnail taken a little further in/);
  });
});

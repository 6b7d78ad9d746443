import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CreativeRecord } from '../core/record.js';
import { dropRealMedia } from '../bench/real-media-drop.js';
import { tempRoot } from './fixtures.js';
import { outputFacts, SHARED_HEIC, sharedHeic } from './image-fixtures.js';
import { allRecords, processRoot } from './harness.js';

const run = promisify(execFile);

interface Probed {
  streams: {
    codec_type: string;
    width?: number;
    height?: number;
    sample_aspect_ratio?: string;
    color_transfer?: string;
    pix_fmt?: string;
    side_data_list?: unknown[];
  }[];
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

describe('real media from phones and editors, dropped together', () => {
  let root: string;
  let records: CreativeRecord[];
  const recordOf = (source: string): CreativeRecord => {
    const record = records.find((candidate) => candidate.source.path === source);
    if (!record) throw new Error(`no record for ${source}`);
    return record;
  };
  const output = (source: string, role: string): string =>
    path.join(root, recordOf(source).outputs?.find((each) => each.role === role)?.path ?? '');

  beforeAll(async () => {
    root = await tempRoot();
    const heic = await sharedHeic();
    if (!heic)
      console.info(
        `No ../shared/fixtures/iphone-photo.heic beside this clone (${SHARED_HEIC}): the HEIC case is skipped`,
      );
    await dropRealMedia(path.join(root, 'inbox'), path.join(root, 'scratch'), heic);
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
    const video = (await probe(output('inbox/preroll/portrait.mp4', 'creative'))).streams.find(
      (stream) => stream.codec_type === 'video',
    );
    expect(video).toMatchObject({ width: 360, height: 640 });
    expect(video?.side_data_list ?? []).toEqual([]);
  });

  it.each([
    ['PQ', 'inbox/hdr.mp4', 'pq', 'HDR10 (PQ) tone-mapped to SDR'],
    ['HLG', 'inbox/hlg.mov', 'hlg', 'HLG tone-mapped to SDR'],
  ])('tone-maps %s HDR to SDR BT.709 for the native video and its thumbnail', async (_name, source, hdr, note) => {
    expect(recordOf(source).media?.hdr).toBe(hdr);
    expect(recordOf(source).notes?.join(' ')).toContain(note);
    const video = (await probe(output(source, 'video'))).streams[0];
    expect(video).toMatchObject({ pix_fmt: 'yuv420p', color_transfer: 'bt709' });
    // testsrc2's frame is colourful: tone-mapped, it keeps colour; shown raw as SDR it would be grey.
    const { channels } = await sharp(output(source, 'image')).stats();
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

  it('turns a phone photo upright once and sends none of its private tags', async () => {
    const facts = await outputFacts(output('inbox/pixel-upright.jpg', 'creative'));
    expect(facts.height).toBeGreaterThan(facts.width);
    expect(facts).toMatchObject({ exif: false, gps: false, camera: false });
    expect(facts.orientation ?? 1).toBe(1);
  });

  it('makes a CMYK print file and a 16-bit export 8-bit sRGB', async () => {
    expect(await outputFacts(output('inbox/print-cmyk.jpg', 'creative'))).toMatchObject({ space: 'srgb', channels: 3 });
    expect(await outputFacts(output('inbox/editor-16bit.png', 'creative'))).toMatchObject({
      space: 'srgb',
      depth: 'uchar',
    });
  });

  it('sets a tracking pixel aside with a plain reason', () => {
    const pixel = recordOf('inbox/tracking-pixel.png');
    expect(pixel.state).toBe('rejected');
    expect(pixel.reason).not.toMatch(/complete copy|vips|sharp/i);
  });

  it.each([
    ['GIF', 'inbox/animated.gif'],
    ['WEBP', 'inbox/animated-webp.webp'],
    ['PNG', 'inbox/animated-apng.png'],
    ['AVIF', 'inbox/animated-sequence.avif'],
  ])('makes an animated %s one still of its first frame that shows something, flagged', async (kind, source) => {
    const record = recordOf(source);
    expect(record.state).toBe('staged');
    expect(record.naming?.review).toContain(`animated ${kind}: uploaded as a still of frame 3 of 5`);
    const facts = await outputFacts(output(source, 'creative'));
    expect(facts).toMatchObject({ pages: 1, width: 160, height: 120 });
    const { channels } = await sharp(output(source, 'creative')).stats();
    expect(Math.max(...channels.slice(0, 3).map((channel) => channel.stdev))).toBeGreaterThan(30);
  });

  it('makes an iPhone HEIC an upright image creative', async (context) => {
    if (!(await sharedHeic())) return context.skip(`no ${SHARED_HEIC} beside this clone`);
    const record = recordOf('inbox/iphone.heic');
    expect(record.state).toBe('staged');
    const facts = await outputFacts(output('inbox/iphone.heic', 'creative'));
    expect(facts.height).toBeGreaterThan(facts.width);
    expect(facts.gps).toBe(false);
  });
});

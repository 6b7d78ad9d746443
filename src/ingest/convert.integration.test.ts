import { randomBytes } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { TJ_PROFILE } from '../config/profile.js';
import { BadInputError, TransientError } from '../core/errors.js';
import { Layout } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { createLogger } from '../core/logger.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { locateFfmpeg } from '../media/ffmpeg-binaries.js';
import { MediaRepository, type FfmpegJob, type ImageRender, type RawImage } from '../media/media.repository.js';
import type { SampleVideo } from '../media/sample-media.js';
import { StorageRepository } from '../store/storage.repository.js';
import { listTree, makeImage, makeVideo, tempRoot } from '../test/fixtures.js';
import type { StageContext } from './context.js';
import { convert, keptOfFrame } from './convert.js';
import { probe } from './probe.js';
import { verifyVideo } from './verify-video.js';

/** Real ffmpeg, but the thumbnail encoder fails as we tell it to. */
class FailingThumbnails extends MediaRepository {
  constructor(private readonly failure: Error) {
    super(locateFfmpeg({}), TJ_PROFILE.input.maxImagePixels);
  }

  override renderImageToBuffer(_input: string | Buffer, _render: ImageRender): Promise<Buffer> {
    return Promise.reject(this.failure);
  }
}

/** Real ffmpeg and sharp, counting what the conversion asks of them. */
class CountingMedia extends MediaRepository {
  readonly ffmpegRuns: FfmpegJob[] = [];
  decodes = 0;

  constructor() {
    super(locateFfmpeg({}), TJ_PROFILE.input.maxImagePixels);
  }

  override runFfmpeg(job: FfmpegJob, signal?: AbortSignal): Promise<void> {
    this.ffmpegRuns.push(job);
    return super.runFfmpeg(job, signal);
  }

  probes = 0;

  override probe(file: string): ReturnType<MediaRepository['probe']> {
    this.probes += 1;
    return super.probe(file);
  }

  override decodeImage(input: string, resize?: ImageRender['resize']): Promise<RawImage> {
    this.decodes += 1;
    return super.decodeImage(input, resize);
  }
}

async function contextWith(media: MediaRepository, profile = TJ_PROFILE): Promise<StageContext> {
  const layout = new Layout(await tempRoot());
  const storage = new StorageRepository();
  return {
    layout,
    profile,
    storage,
    media,
    creatives: await CreativeRepository.open(layout.db, storage),
    log: createLogger({ level: 'silent', pretty: false }),
    signal: new AbortController().signal,
  };
}

async function probedNative(ctx: StageContext, video: SampleVideo = {}): Promise<CreativeRecord> {
  return probedFile(ctx, await makeVideo(path.join(ctx.layout.inbox, 'clip.mp4'), { seconds: 2, ...video }));
}

async function probedFile(ctx: StageContext, file: string): Promise<CreativeRecord> {
  const stat = await ctx.storage.stat(file);
  const discovered: CreativeRecord = {
    key: 'c0',
    state: 'discovered',
    source: { path: ctx.layout.rel(file), size: stat?.size ?? 0, mtimeMs: stat?.mtimeMs ?? 0 },
    attempts: 0,
    times: {},
  };
  const probed = await probe(discovered, ctx);
  return {
    ...probed,
    state: 'named',
    naming: {
      id: 'ABCDEF01',
      tokens: {
        language: 'EN',
        category: 'C',
        modelSex: 'F',
        style: 'Real',
        rating: 'NSFW',
        description: 'D',
        creator: 'X',
      },
      review: [],
    },
  };
}

describe('convert', () => {
  it('removes the native video again when its thumbnail cannot be made', async () => {
    const ctx = await contextWith(new FailingThumbnails(new Error('corrupt frame')));
    await expect(convert(await probedNative(ctx), ctx)).rejects.toThrow(BadInputError);
    expect(await listTree(ctx.layout.uploaded)).toEqual([]);
  });

  it('treats a full disk as a transient failure, not the file’s fault', async () => {
    const ctx = await contextWith(
      new FailingThumbnails(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })),
    );
    await expect(convert(await probedNative(ctx), ctx)).rejects.toThrow(TransientError);
    expect(await listTree(ctx.layout.uploaded)).toEqual([]);
  });

  it('says a portrait video was cropped hard: a note, the log, and a flag for review', async () => {
    expect(keptOfFrame(720, 1280, 640, 360)).toBeCloseTo(0.316, 3);
    expect(keptOfFrame(1920, 1080, 640, 360)).toBe(1);
    const ctx = await contextWith(new MediaRepository(locateFfmpeg({}), TJ_PROFILE.input.maxImagePixels));
    const portrait = await convert(await probedNative(ctx, { width: 360, height: 640 }), ctx);
    expect(portrait.naming?.review).toEqual(['cropped: kept 32% of the 360×640 frame']);
    expect(portrait.notes).toContain('cropped: kept 32% of the 360×640 frame');
  });

  it('makes a native pair in one ffmpeg run, checked from its header: the video cut to its limit, and its first frame', async () => {
    const media = new CountingMedia();
    const ctx = await contextWith(media);
    const record = await probedNative(ctx, { seconds: 6, width: 640, height: 360, audio: true });
    media.ffmpegRuns.length = 0;
    media.probes = 0;
    const converted = await convert(record, ctx);

    // One ffmpeg run, and the output checked from its header, without an ffprobe process.
    expect(media.ffmpegRuns).toHaveLength(1);
    expect(media.probes).toBe(0);
    const video = converted.outputs?.find((output) => output.role === 'video');
    const image = converted.outputs?.find((output) => output.role === 'image');
    if (!video || !image) throw new Error('The pair lacks an output');
    expect(video).toMatchObject({ width: 640, height: 360, format: 'mp4' });
    expect(video.durationSec).toBeCloseTo(4, 1);
    const thumbnail = ctx.layout.abs(image.path);
    expect(await sharp(thumbnail).metadata()).toMatchObject({ format: 'png', width: 640, height: 360 });
    // The test pattern moves: the thumbnail matches the video's first frame, not a later one.
    const frameAt = async (seconds: number): Promise<string> => {
      const file = path.join(ctx.layout.tmp, `at-${seconds}.png`);
      await media.runFfmpeg({
        input: ctx.layout.abs(video.path),
        inputOptions: ['-ss', String(seconds)],
        outputs: [{ path: file, options: ['-frames:v', '1', '-f', 'image2'] }],
      });
      return file;
    };
    expect(await meanDifference(thumbnail, await frameAt(0))).toBeLessThan(2);
    expect(await meanDifference(thumbnail, await frameAt(2))).toBeGreaterThan(5);
  });

  it('encodes a still from the file itself, and decodes it to pixels only when the first encoding is too big', async () => {
    const media = new CountingMedia();
    const noise = await media.renderImageToBuffer(
      { data: randomBytes(1200 * 900 * 3), width: 1200, height: 900, channels: 3 },
      { format: 'jpeg', formatOptions: { quality: 95 } },
    );
    const firstRung = await media.renderImageToBuffer(noise, { format: 'jpeg', formatOptions: { quality: 90 } });
    const ctx = await contextWith(media, {
      ...TJ_PROFILE,
      image: { ...TJ_PROFILE.image, maxBytes: firstRung.length - 1 },
    });
    await ctx.storage.writeFileAtomic(path.join(ctx.layout.inbox, 'noise.jpg'), noise);
    const converted = await convert(await probedFile(ctx, path.join(ctx.layout.inbox, 'noise.jpg')), ctx);
    const creative = converted.outputs?.find((output) => output.role === 'creative');
    expect(creative).toMatchObject({ format: 'jpeg', width: 1200, height: 900, converted: true });
    expect(creative?.bytes).toBeLessThanOrEqual(firstRung.length - 1);
    expect(media.decodes).toBe(1);

    const large = await makeImage(path.join(ctx.layout.inbox, 'large.jpg'), {
      width: 2400,
      height: 1800,
      format: 'jpeg',
    });
    const shrunk = await convert(await probedFile(ctx, large), { ...ctx, profile: TJ_PROFILE });
    expect(shrunk.outputs?.find((output) => output.role === 'creative')).toMatchObject({
      width: 1920,
      height: 1440,
      converted: true,
    });
    expect(media.decodes).toBe(1);
  });

  it('reads an output back from its header, through ffprobe when the index is not at the front, and refuses one over the limits', async () => {
    const media = new CountingMedia();
    const ctx = await contextWith(media);
    const limits = { width: 640, height: 360, maxSeconds: 10 };
    const front = await makeVideo(path.join(ctx.layout.tmp, 'front.mp4'), {
      seconds: 6,
      width: 640,
      height: 360,
      faststart: true,
    });
    expect(await verifyVideo(ctx, front, 'front.mp4', limits)).toMatchObject({ width: 640, height: 360 });
    expect(media.probes).toBe(0);
    const last = await makeVideo(path.join(ctx.layout.tmp, 'last.mp4'), { seconds: 6, width: 640, height: 360 });
    const facts = await verifyVideo(ctx, last, 'last.mp4', limits);
    expect(facts).toMatchObject({ width: 640, height: 360 });
    expect(facts.durationSec).toBeCloseTo(6, 1);
    expect(media.probes).toBe(1);
    await expect(verifyVideo(ctx, front, 'front.mp4', { ...limits, maxSeconds: 4 })).rejects.toThrow(
      /unusable video: it lasts 6\.00 s/,
    );
    await expect(verifyVideo(ctx, front, 'front.mp4', { ...limits, width: 1280, height: 720 })).rejects.toThrow(
      /it is 640×360/,
    );
  });
});

/** The mean absolute difference of two pictures' pixels, 0–255. */
async function meanDifference(a: string, b: string): Promise<number> {
  const [left, right] = await Promise.all([a, b].map((file) => sharp(file).removeAlpha().raw().toBuffer()));
  if (!left || !right || left.length !== right.length) throw new Error('The pictures differ in size');
  let total = 0;
  for (let index = 0; index < left.length; index += 1) total += Math.abs((left[index] ?? 0) - (right[index] ?? 0));
  return total / left.length;
}

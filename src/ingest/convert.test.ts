import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TJ_PROFILE } from '../config/profile.js';
import { BadInputError, TransientError } from '../core/errors.js';
import { Layout } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { createLogger } from '../core/logger.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { locateFfmpeg } from '../media/ffmpeg-binaries.js';
import { MediaRepository, type ImageRender } from '../media/media.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { listTree, makeVideo, tempRoot } from '../test/fixtures.js';
import type { StageContext } from './context.js';
import { convert, keptOfFrame } from './convert.js';
import { probe } from './probe.js';

/** Real ffmpeg, but the thumbnail encoder fails as we tell it to. */
class FailingThumbnails extends MediaRepository {
  constructor(private readonly failure: Error) {
    super(locateFfmpeg({}), TJ_PROFILE.input.maxImagePixels);
  }

  override renderImageToBuffer(_input: string | Buffer, _render: ImageRender): Promise<Buffer> {
    return Promise.reject(this.failure);
  }
}

async function contextWith(media: MediaRepository): Promise<StageContext> {
  const layout = new Layout(await tempRoot());
  const storage = new StorageRepository();
  return { layout, profile: TJ_PROFILE, storage, media, creatives: await CreativeRepository.open(layout.db, storage), log: createLogger({ level: 'silent', pretty: false }), signal: new AbortController().signal };
}

async function probedNative(ctx: StageContext, size: { width?: number; height?: number } = {}): Promise<CreativeRecord> {
  const file = await makeVideo(path.join(ctx.layout.inbox, 'clip.mp4'), { seconds: 2, ...size });
  const stat = await ctx.storage.stat(file);
  const discovered: CreativeRecord = { key: 'c0', state: 'discovered', source: { path: ctx.layout.rel(file), size: stat?.size ?? 0, mtimeMs: stat?.mtimeMs ?? 0 }, attempts: 0, times: {} };
  const probed = await probe(discovered, ctx);
  return { ...probed, state: 'named', naming: { id: 'ABCDEF01', tokens: { language: 'EN', category: 'C', modelSex: 'F', style: 'Real', rating: 'NSFW', description: 'D', creator: 'X' }, review: [] } };
}

describe('convert', () => {
  it('removes the native video again when its thumbnail cannot be made', async () => {
    const ctx = await contextWith(new FailingThumbnails(new Error('corrupt frame')));
    await expect(convert(await probedNative(ctx), ctx)).rejects.toThrow(BadInputError);
    expect(await listTree(ctx.layout.uploaded)).toEqual([]);
  });

  it('treats a full disk as a transient failure, not the file’s fault', async () => {
    const ctx = await contextWith(new FailingThumbnails(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })));
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
});

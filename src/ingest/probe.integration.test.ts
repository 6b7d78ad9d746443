import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TJ_PROFILE } from '../config/profile.js';
import { BadInputError, SourceChangedError } from '../core/errors.js';
import { Layout } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import type { CreativeRecord } from '../core/record.js';
import { locateFfmpeg } from '../media/ffmpeg-binaries.js';
import { MediaRepository } from '../media/media.repository.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { makeVideo, tempRoot } from '../test/fixtures.js';
import type { StageContext } from './context.js';
import { probe } from './probe.js';

/** Real ffprobe; once it has read the file, the rest of the file arrives, as from a writer that paused. */
class WriterCatchesUp extends MediaRepository {
  probes = 0;

  constructor(private readonly rest: Buffer | undefined) {
    super(locateFfmpeg({}), TJ_PROFILE.input.maxImagePixels);
  }

  override async probe(file: string): ReturnType<MediaRepository['probe']> {
    this.probes += 1;
    try {
      return await super.probe(file);
    } finally {
      if (this.rest) await fs.appendFile(file, this.rest);
    }
  }
}

/** The first half of a real video in inbox/, as a copy that paused there leaves it. */
async function halfWritten(
  rest: 'arrives' | 'never',
): Promise<{ run: () => Promise<CreativeRecord>; media: WriterCatchesUp }> {
  const layout = new Layout(await tempRoot());
  const whole = await fs.readFile(await makeVideo(path.join(await tempRoot(), 'whole.mp4'), { seconds: 2, seed: 3 }));
  const file = path.join(layout.inbox, 'copy.mp4');
  await fs.mkdir(layout.inbox, { recursive: true });
  const half = Math.floor(whole.length / 2);
  await fs.writeFile(file, whole.subarray(0, half));
  const media = new WriterCatchesUp(rest === 'arrives' ? whole.subarray(half) : undefined);
  const storage = new StorageRepository();
  const ctx: StageContext = {
    layout,
    profile: TJ_PROFILE,
    storage,
    media,
    creatives: await CreativeRepository.open(layout.db, storage),
    log: createLogger({ level: 'silent', pretty: false }),
    signal: new AbortController().signal,
  };
  const stat = await fs.stat(file);
  const discovered: CreativeRecord = {
    key: 'c0',
    state: 'discovered',
    source: { path: layout.rel(file), size: stat.size, mtimeMs: stat.mtimeMs },
    attempts: 0,
    times: {},
  };
  return { run: () => probe(discovered, ctx), media };
}

describe('probe', () => {
  it('takes a file that grew while it was read as changed, not as bad, however broken its first half read', async () => {
    const { run, media } = await halfWritten('arrives');
    await expect(run()).rejects.toThrow(SourceChangedError);
    expect(media.probes).toBe(1);
  });

  it('rejects the same half file when nothing more arrives', async () => {
    const { run, media } = await halfWritten('never');
    await expect(run()).rejects.toThrow(BadInputError);
    expect(media.probes).toBe(1);
  });
});

describe('probe ceilings and files that are not what they seem', () => {
  async function probeIn(setup: (layout: Layout) => Promise<string>, profile = TJ_PROFILE): Promise<unknown> {
    const layout = new Layout(await tempRoot());
    await fs.mkdir(layout.inbox, { recursive: true });
    const file = await setup(layout);
    const storage = new StorageRepository();
    const ctx: StageContext = {
      layout,
      profile,
      storage,
      media: new MediaRepository(locateFfmpeg({}), profile.input.maxImagePixels),
      creatives: await CreativeRepository.open(layout.db, storage),
      log: createLogger({ level: 'silent', pretty: false }),
      signal: new AbortController().signal,
    };
    const stat = await fs.lstat(file);
    const record: CreativeRecord = {
      key: 'c0',
      state: 'discovered',
      source: { path: layout.rel(file), size: stat.size, mtimeMs: stat.mtimeMs },
      attempts: 0,
      times: {},
    };
    return probe(record, ctx).then(
      (probed) => probed,
      (error: unknown) => error,
    );
  }

  it('refuses a video over the frame or the duration ceiling from its header', async () => {
    const small = { ...TJ_PROFILE, input: { ...TJ_PROFILE.input, maxVideoPixels: 160 * 120, maxVideoSeconds: 1.5 } };
    const wide = await probeIn(
      (layout) => makeVideo(path.join(layout.inbox, 'wide.mp4'), { seconds: 1, width: 320, height: 240 }),
      small,
    );
    expect((wide as BadInputError).plain).toMatch(/frame is 320×240, over the 0.02-megapixel limit/);
    const long = await probeIn(
      (layout) => makeVideo(path.join(layout.inbox, 'long.mp4'), { seconds: 2, width: 160, height: 120 }),
      small,
    );
    expect((long as BadInputError).plain).toMatch(/lasts 2 s, over the 1.5-second limit/);
  });

  it('refuses a playlist named .mp4 with a plain reason, and a file reached through a linked folder without reading it', async () => {
    const playlist = await probeIn(async (layout) => {
      const file = path.join(layout.inbox, 'clip.mp4');
      await fs.writeFile(file, '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n../elsewhere.ts\n#EXT-X-ENDLIST\n');
      return file;
    });
    expect(playlist).toBeInstanceOf(BadInputError);
    expect((playlist as BadInputError).plain).toMatch(/holds a "hls" list that names other files, not a video we take/);
    const outside = await tempRoot();
    await makeVideo(path.join(outside, 'private.mp4'), { seconds: 1 });
    const linked = await probeIn(async (layout) => {
      await fs.symlink(outside, path.join(layout.inbox, 'pictures'));
      return path.join(layout.inbox, 'pictures', 'private.mp4');
    });
    expect((linked as BadInputError).plain).toMatch(
      /Its folder inbox\/pictures is a symbolic link \(to .*\), not a file in inbox\//,
    );
  });
});

describe('probe: a picture shorter than its sound', () => {
  it('takes a video whose audio runs on past its picture as whole, as long as its picture, and not damaged', async () => {
    const layout = new Layout(await tempRoot());
    await fs.mkdir(layout.inbox, { recursive: true });
    const file = path.join(layout.inbox, 'long-sound.mkv');
    await promisify(execFile)('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25:duration=2',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=6',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      file,
    ]);
    const storage = new StorageRepository();
    const ctx: StageContext = {
      layout,
      profile: TJ_PROFILE,
      storage,
      media: new MediaRepository(locateFfmpeg({}), TJ_PROFILE.input.maxImagePixels),
      creatives: await CreativeRepository.open(layout.db, storage),
      log: createLogger({ level: 'silent', pretty: false }),
      signal: new AbortController().signal,
    };
    const stat = await fs.stat(file);
    const probed = await probe(
      {
        key: 'c0',
        state: 'discovered',
        source: { path: layout.rel(file), size: stat.size, mtimeMs: stat.mtimeMs },
        attempts: 0,
        times: {},
      },
      ctx,
    );
    expect(probed.media?.claimedDurationSec).toBeUndefined();
    expect(probed.media?.durationSec).toBeGreaterThan(1.5);
    expect(probed.media?.durationSec).toBeLessThan(6);
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
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
async function halfWritten(rest: 'arrives' | 'never'): Promise<{ run: () => Promise<CreativeRecord>; media: WriterCatchesUp }> {
  const layout = new Layout(await tempRoot());
  const whole = await fs.readFile(await makeVideo(path.join(await tempRoot(), 'whole.mp4'), { seconds: 2, seed: 3 }));
  const file = path.join(layout.inbox, 'copy.mp4');
  await fs.mkdir(layout.inbox, { recursive: true });
  const half = Math.floor(whole.length / 2);
  await fs.writeFile(file, whole.subarray(0, half));
  const media = new WriterCatchesUp(rest === 'arrives' ? whole.subarray(half) : undefined);
  const storage = new StorageRepository();
  const ctx: StageContext = { layout, profile: TJ_PROFILE, storage, media, creatives: await CreativeRepository.open(layout.db, storage), log: createLogger({ level: 'silent', pretty: false }), signal: new AbortController().signal };
  const stat = await fs.stat(file);
  const discovered: CreativeRecord = { key: 'c0', state: 'discovered', source: { path: layout.rel(file), size: stat.size, mtimeMs: stat.mtimeMs }, attempts: 0, times: {} };
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

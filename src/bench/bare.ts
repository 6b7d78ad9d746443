/**
 * The same conversions as the pipeline, as bare ffmpeg and sharp commands run one after another:
 * the baseline the pipeline is measured against.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { TJ_PROFILE } from '../config/profile.js';
import { nativeFrameArgs, nativeVideoArgs } from '../ingest/ffmpeg-args.js';
import { encodingLadder } from '../ingest/fit-image.js';

const run = promisify(execFile);

export async function bareConversions(videos: string[], images: string[], outDir: string): Promise<number> {
  await fs.mkdir(outDir, { recursive: true });
  sharp.cache(false);
  const started = performance.now();
  for (const [n, video] of videos.entries()) {
    // The generated videos have a sine tone, so the pipeline encodes AAC too.
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-nostdin',
      '-i',
      video,
      ...nativeVideoArgs(TJ_PROFILE, true),
      path.join(outDir, `v${n}.mp4`),
    ]);
    const frame = path.join(outDir, `f${n}.png`);
    await run('ffmpeg', ['-v', 'error', '-y', '-nostdin', '-i', video, ...nativeFrameArgs(TJ_PROFILE), frame]);
    const [png] = encodingLadder('png');
    await sharp(frame)
      .toFormat('png', png?.formatOptions)
      .toFile(path.join(outDir, `i${n}.png`));
  }
  const { maxWidth, maxHeight } = TJ_PROFILE.image;
  const [jpeg] = encodingLadder('jpeg');
  for (const [n, image] of images.entries()) {
    await sharp(image)
      .resize(maxWidth, maxHeight, { fit: 'inside', withoutEnlargement: true })
      .jpeg(jpeg?.formatOptions)
      .toFile(path.join(outDir, `j${n}.jpg`));
  }
  return (performance.now() - started) / 1000;
}

/**
 * Real-media benchmark: the drop of one of each kind real phones and editors make (the real-media
 * test's), processed by `process --once` in a child of its own (its time and peak RSS), against
 * bare ffmpeg and sharp converting the same files to the same targets one after another.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { TJ_PROFILE } from '../config/profile.js';
import { nativeFrameArgs, nativeVideoArgs, prerollVideoArgs } from '../ingest/ffmpeg-args.js';
import { dropRealMedia } from './real-media-drop.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED_HEIC = path.resolve(here, '../../../shared/fixtures/iphone-photo.heic');

export async function realMediaBenchmark(asTheDaemonRuns: NodeJS.ProcessEnv): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'cf-bench-real-'));
  const heic = (await fs.stat(SHARED_HEIC).catch(() => undefined)) ? SHARED_HEIC : undefined;
  const root = path.join(work, 'root');
  const dropped = await dropRealMedia(path.join(root, 'inbox'), path.join(work, 'scratch'), heic);
  const sources = path.join(work, 'sources');
  await fs.cp(path.join(root, 'inbox'), sources, { recursive: true });

  const bareSeconds = await bare(sources, path.join(work, 'bare'), dropped);
  const { stdout } = await run(process.execPath, [path.join(here, 'process-root.js'), root], {
    maxBuffer: 16 << 20,
    env: asTheDaemonRuns,
  });
  const pipeline = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    seconds: number;
    staged: number;
    peakRssMb: number;
  };
  console.log(
    `\nReal media: ${dropped.length} files from phones and editors${heic ? ' (the iPhone HEIC included)' : ' (no ../shared: without the iPhone HEIC)'}, dropped together`,
  );
  console.log(`  bare ffmpeg + sharp, in series: ${bareSeconds.toFixed(1)} s`);
  console.log(
    `  process --once:                 ${pipeline.seconds.toFixed(1)} s (${pipeline.staged} staged, the rest set aside; peak RSS ${pipeline.peakRssMb.toFixed(0)} MB)`,
  );
  console.log(
    `  ratio pipeline / bare:          ${(pipeline.seconds / bareSeconds).toFixed(2)}  (target ≤ 1.5: the pipeline also probes, checks, tone-maps and reads every output back; peak RSS ≤ 300 MB)`,
  );
  await fs.rm(work, { recursive: true, force: true });
}

/** The same targets by bare tools: each video its native pair (or in-stream video), each still (an animation's third frame) one sRGB JPEG, upright. */
async function bare(sources: string, out: string, dropped: readonly string[]): Promise<number> {
  await fs.mkdir(out, { recursive: true });
  sharp.cache(false);
  const started = performance.now();
  for (const [n, relative] of dropped.entries()) {
    const file = path.join(sources, relative.replace(/^inbox\//, ''));
    if (/\.(mp4|mkv|mov)$/.test(file)) {
      const hdr = relative.includes('hdr')
        ? { hdr: 'pq' as const }
        : relative.includes('hlg')
          ? { hdr: 'hlg' as const }
          : {};
      if (relative.includes('preroll/')) {
        await bareFfmpeg(file, [...prerollVideoArgs(TJ_PROFILE, false, undefined, hdr), path.join(out, `p${n}.mp4`)]);
        continue;
      }
      // A file cut short makes bare ffmpeg fail; what it managed is the baseline.
      await bareFfmpeg(file, [...nativeVideoArgs(TJ_PROFILE, false, hdr), path.join(out, `v${n}.mp4`)]).catch(
        () => undefined,
      );
      await bareFfmpeg(file, [...nativeFrameArgs(TJ_PROFILE, hdr), path.join(out, `f${n}.png`)]).catch(() => undefined);
      continue;
    }
    // HEIC needs its own decoder, which bare sharp lacks: the pipeline's figure includes it, this one does not.
    if (/\.heic$/.test(file)) continue;
    // sharp reads no frame past an APNG's first, nor an image sequence: bare ffmpeg takes the still (frame 3, the first that shows something).
    const still = /animated-(apng|sequence)/.test(file) ? path.join(out, `s${n}.png`) : file;
    if (still !== file) await bareFfmpeg(file, ['-vf', 'select=eq(n\\,2)', '-frames:v', '1', still]);
    await sharp(still, { failOn: 'none' })
      .rotate()
      .resize(TJ_PROFILE.image.maxWidth, TJ_PROFILE.image.maxHeight, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .jpeg({ quality: 90 })
      .toFile(path.join(out, `i${n}.jpg`))
      .catch(() => undefined);
  }
  return (performance.now() - started) / 1000;
}

/** One bare ffmpeg run on `file`, quiet and non-interactive, as ours runs it. */
async function bareFfmpeg(file: string, args: readonly string[]): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', '-nostdin', '-i', file, ...args]);
}

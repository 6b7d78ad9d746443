/**
 * `npm run bench`: figures measured side by side in one run. Each measurement runs in its own
 * process so that its peak RSS is its own.
 */
import { execFile, spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MALLOC_ARENA_MAX } from '../core/heap.js';
import { bareConversions } from './bare.js';
import type { WalkFigures } from './library-walks.js';
import { exoUploadBenchmark } from './exo-upload.js';
import { realMediaBenchmark } from './real-media.js';
import { resultsFetchBenchmark } from './results-fetch.js';
import { uploadBenchmark } from './upload.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];

/** The environment `npm start` and pm2 give the daemon. */
function asTheDaemonRuns(): NodeJS.ProcessEnv {
  return { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? MALLOC_ARENA_MAX };
}

async function child<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [path.join(here, script), ...args], {
    maxBuffer: 16 << 20,
    env: asTheDaemonRuns(),
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as T;
}

async function pipelineAgainstBareTools(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'cf-bench-'));
  // CF_BENCH_SOURCES keeps the generated media between runs (generating them takes minutes).
  const sources = process.env.CF_BENCH_SOURCES ?? path.join(work, 'sources');
  await fs.mkdir(sources, { recursive: true });
  console.log('Generating 20 videos (10 s, 1080p) and 100 images (4000×3000)…');
  const videos = Array.from({ length: 20 }, (_, n) => path.join(sources, `video-${n}.mp4`));
  const images = Array.from({ length: 100 }, (_, n) => path.join(sources, `image-${n}.jpg`));
  const reuse = (
    await Promise.all(
      [...videos, ...images].map((file) =>
        fs.access(file).then(
          () => true,
          () => false,
        ),
      ),
    )
  ).every(Boolean);
  for (const [n, video] of reuse ? [] : videos.entries()) {
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=1920x1080:rate=25,hue=h=${n * 17}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${300 + n}`,
      '-t',
      '10',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      video,
    ]);
  }
  if (!reuse) {
    // One ffmpeg run writes all 100: a moving test pattern, so every image differs and has detail to decode.
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=4000x3000:rate=1',
      '-frames:v',
      '100',
      '-q:v',
      '3',
      '-start_number',
      '0',
      path.join(sources, 'image-%d.jpg'),
    ]);
  }

  const root = path.join(work, 'root');
  await fs.mkdir(path.join(root, 'inbox'), { recursive: true });
  for (const file of [...videos, ...images]) await fs.copyFile(file, path.join(root, 'inbox', path.basename(file)));
  const bareSeconds = await bareConversions(videos, images, path.join(work, 'bare'));
  const pipeline = await child<{ seconds: number; staged: number; peakRssMb: number }>('process-root.js', [root]);
  console.log('\nPipeline against bare tools (20 native pairs + 100 image conversions)');
  console.log(`  bare ffmpeg + sharp, in series: ${bareSeconds.toFixed(1)} s`);
  console.log(
    `  process --once:                 ${pipeline.seconds.toFixed(1)} s (${pipeline.staged} staged, peak RSS ${pipeline.peakRssMb.toFixed(0)} MB)`,
  );
  console.log(
    `  ratio pipeline / bare:          ${(pipeline.seconds / bareSeconds).toFixed(2)}  (target ≤ 0.85, peak RSS ≤ 300 MB)`,
  );
  await fs.rm(work, { recursive: true, force: true });
}

interface LibraryFigures extends WalkFigures {
  size: number;
  mbOnDisk: number;
  loadMs: number;
  loadPeakRssMb: number;
  changesPeakRssMb: number;
  spreadPeakRssMb: number;
  spreadMs: number;
  inventoryMs: number;
  inventoryFullMs: number;
  byNameUs: number;
  byHashUs: number;
  amortisedMs: number;
  singleMs: number;
  bareAppendMs: number;
  bareRewriteMs: number;
  peakRssMb: number;
}

async function libraryAtScale(): Promise<void> {
  const walks: string[] = [];
  console.log(
    '\nLibrary at scale (targets at 100k: load ≤ 1 s, look-up ≤ 10 µs, change ≤ 5 ms and flat, inventory after changes ≤ 1 s, RSS ≤ 300 MB)',
  );
  console.log(
    '  creatives | on disk  | load    | RSS after load | by name  | by hash  | change    | change, spread | change, alone | alone, bare: append / rewrite | RSS: changes / spread | inventory: first / after 30 | peak RSS',
  );
  console.log(
    "  (change: amortised, 8 in flight, records in memory as the pipeline has them; spread: anywhere in the library, segment read included; alone: spread, one at a time; bare: the same 200 segments read and parsed by bare fs calls, the record's line appended durably as ours does, or the whole file replaced durably as a store of whole JSON files must)",
  );
  for (const size of [1_000, 10_000, 100_000]) {
    const f = await child<LibraryFigures>('library.js', [String(size)]);
    console.log(
      [
        String(size).padStart(11),
        `${f.mbOnDisk.toFixed(1).padStart(5)} MB`,
        `${f.loadMs.toFixed(0).padStart(4)} ms`,
        `${f.loadPeakRssMb.toFixed(0).padStart(11)} MB`,
        `${f.byNameUs.toFixed(2).padStart(5)} µs`,
        `${f.byHashUs.toFixed(2).padStart(5)} µs`,
        `${f.amortisedMs.toFixed(2).padStart(6)} ms`,
        `${f.spreadMs.toFixed(2).padStart(11)} ms`,
        `${f.singleMs.toFixed(2).padStart(10)} ms`,
        `${f.bareAppendMs.toFixed(2).padStart(13)} / ${f.bareRewriteMs.toFixed(2).padStart(5)} ms`,
        `${f.changesPeakRssMb.toFixed(0).padStart(9)} / ${f.spreadPeakRssMb.toFixed(0).padStart(3)} MB`,
        `${f.inventoryFullMs.toFixed(0).padStart(10)} / ${f.inventoryMs.toFixed(0).padStart(4)} ms`,
        `${f.peakRssMb.toFixed(0).padStart(5)} MB`,
      ].join(' | '),
    );
    walks.push(
      [
        String(size).padStart(11),
        `${f.statusMs.toFixed(0).padStart(6)} ms`,
        `${f.dashboardLoadMs.toFixed(0).padStart(14)} ms`,
        `${f.archiveSweepMs.toFixed(1).padStart(12)} ms`,
        `${f.uploadPassMs.toFixed(0).padStart(18)} ms`,
        `${f.libraryExportMs.toFixed(0).padStart(23)} ms`,
      ].join(' | '),
    );
  }
  console.log(
    '\nWalks at scale (a year of creatives, uploaded and archived; targets at 100k: each ≤ 1 s, the upload pass flat)',
  );
  console.log(
    '  creatives | status    | dashboard first load | archive sweep   | upload pass of 10     | library export, after the pass',
  );
  for (const line of walks) console.log(line);
}

async function bigFile(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'cf-bench-big-'));
  const video = path.join(work, 'root', 'inbox', 'big.mkv');
  await fs.mkdir(path.dirname(video), { recursive: true });
  // Raw 1080p frames: about 3 MB each, so 1 GB is quick to write and slow to buffer.
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=25',
    '-frames:v',
    '345',
    '-c:v',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    video,
  ]);
  const { size } = await fs.stat(video);
  const result = await child<{ seconds: number; staged: number; peakRssMb: number }>('process-root.js', [
    path.join(work, 'root'),
  ]);
  console.log(
    `\nBig file: ${(size / 1e9).toFixed(2)} GB video hashed and converted in ${result.seconds.toFixed(1)} s; peak RSS ${result.peakRssMb.toFixed(0)} MB (target ≤ 300 MB)`,
  );
  await fs.rm(work, { recursive: true, force: true });
}

/** The daemon as a team leaves it: a dry run on an empty root, dashboard on, after it settled; its RSS. */
async function idleDaemon(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'cf-bench-idle-'));
  const daemon = spawn(process.execPath, [path.join(here, '..', 'cli.js'), 'start', '--root', root], {
    env: { ...asTheDaemonRuns(), DRY_RUN: 'true', DASHBOARD_PORT: '47991' },
    stdio: 'ignore',
  });
  await delay(15_000);
  const status = await fs.readFile(`/proc/${daemon.pid}/status`, 'utf8').catch(() => '');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  daemon.kill('SIGTERM');
  await new Promise((resolve) => daemon.once('exit', resolve));
  console.log(
    `\nIdle daemon (dry run, dashboard on, 15 s after start): RSS ${(kb('VmRSS') / 1024).toFixed(0)} MB, peak ${(kb('VmHWM') / 1024).toFixed(0)} MB (target ≤ 100 MB)`,
  );
  await fs.rm(root, { recursive: true, force: true });
}

if (!only || only === 'idle') await idleDaemon();
if (!only || only === 'library') await libraryAtScale();
if (!only || only === 'big') await bigFile();
if (!only || only === 'pipeline') await pipelineAgainstBareTools();
if (!only || only === 'upload') await uploadBenchmark();
if (!only || only === 'exo') await exoUploadBenchmark();
if (!only || only === 'real') await realMediaBenchmark(asTheDaemonRuns());
if (!only || only === 'results') await resultsFetchBenchmark();

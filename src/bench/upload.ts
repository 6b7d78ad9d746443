/**
 * Upload benchmark: seconds per file through the browser against a plain HTTP multipart POST of
 * the same files, and TJ library pages read per batch at library sizes 10 and 5,000.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Layout } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import { openMedia } from '../media/ffmpeg-binaries.js';
import { SampleMedia } from '../media/sample-media.js';
import { SimLibrary } from '../simulators/tj/library.js';
import { DEFAULT_SIMULATOR_OPTIONS } from '../simulators/tj/options.js';
import { startSimulator, type RunningSimulator } from '../simulators/tj/server.js';
import { TjUploader } from '../platform/tj/tj-uploader.js';
import type { UploadFile } from '../platform/uploader.js';
import { StorageRepository } from '../store/storage.repository.js';

const media = openMedia();
const storage = new StorageRepository();
const samples = new SampleMedia(media, storage);
const log = createLogger({ level: 'silent', pretty: false });

async function simulatorWith(size: number): Promise<RunningSimulator> {
  const library = new SimLibrary();
  for (let n = 0; n < size; n += 1)
    library.add({
      name: `seeded ${n}`,
      fileType: '.png',
      dimensions: '300x250',
      tab: 'static',
      nativeType: 0,
      sha256: String(n),
      uploadDate: '2025-01-01',
    });
  // Every habit of the real site stays on (grids in place, labels, the tour); its own delays are
  // set to 0: they are TJ's latency, not our overhead, and the plain POST pays none of them either.
  return startSimulator(
    { ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true, sessionCheckMs: 0, gridDelayMs: 0 },
    media,
    library,
  );
}

async function uploaderFor(sim: RunningSimulator, dir: string): Promise<TjUploader> {
  return TjUploader.open(
    {
      loginUrl: `${sim.url}/sign-in`,
      appUrl: sim.url,
      username: 'demo',
      password: 'demo-password',
      chromiumPath: process.env.CHROMIUM_PATH,
    },
    { layout: new Layout(dir), storage, log },
  );
}

async function files(dir: string, count: number, prefix: string): Promise<UploadFile[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, n) => {
      const name = `${prefix}_ID-${String(n).padStart(8, '0')}`;
      return {
        path: await samples.image(path.join(dir, `${name}.png`), { width: 300, height: 250, seed: n + 1 }),
        name,
      };
    }),
  );
}

export async function uploadBenchmark(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cf-bench-upload-'));
  const batch = await files(dir, 100, 'bench');

  const plain = await simulatorWith(0);
  const cookie =
    (
      (
        await fetch(`${plain.url}/sign-in`, {
          method: 'POST',
          body: new URLSearchParams({ username: 'demo', password: 'demo-password' }),
          redirect: 'manual',
        })
      ).headers.get('set-cookie') ?? ''
    ).split(';')[0] ?? '';
  let started = performance.now();
  for (const file of batch) {
    const form = new FormData();
    form.append('tab', 'static');
    form.append('file', new Blob([await fs.readFile(file.path)]), path.basename(file.path));
    await fetch(`${plain.url}/media-library/upload`, { method: 'POST', body: form, headers: { cookie } });
  }
  const plainPerFile = (performance.now() - started) / 1000 / batch.length;
  await plain.close();

  const browserSim = await simulatorWith(0);
  const uploader = await uploaderFor(browserSim, dir);
  started = performance.now();
  for (let i = 0; i < batch.length; i += 10) await uploader.upload('static-banner', batch.slice(i, i + 10));
  const browserPerFile = (performance.now() - started) / 1000 / batch.length;
  await uploader.close();
  await browserSim.close();

  console.log('\nUploads: 100 files, batches of 10');
  console.log(`  plain HTTP multipart POST:  ${plainPerFile.toFixed(3)} s/file`);
  console.log(`  through the browser:        ${browserPerFile.toFixed(3)} s/file`);
  console.log(`  ratio browser / plain:      ${(browserPerFile / plainPerFile).toFixed(2)}  (target ≤ 1.6)`);

  console.log('  TJ library pages read per batch of 10 (target: the same at both sizes, ≤ 2):');
  for (const size of [10, 5_000]) {
    const sim = await simulatorWith(size);
    const perBatch = await uploaderFor(sim, dir);
    const sample = await files(path.join(dir, String(size)), 30, `pages${size}`);
    const before = perBatch.pagesRead;
    for (let i = 0; i < sample.length; i += 10) await perBatch.upload('static-banner', sample.slice(i, i + 10));
    console.log(`    library of ${String(size).padStart(5)}: ${((perBatch.pagesRead - before) / 3).toFixed(1)} pages`);
    await perBatch.close();
    await sim.close();
  }
  await syncPages(dir);
  await fs.rm(dir, { recursive: true, force: true });
}

/** Pages one status sync reads with a 100k library whose 30 newest creatives are in review, against the pages those 30 span. */
async function syncPages(dir: string): Promise<void> {
  const library = new SimLibrary();
  const size = 100_000;
  const pending = 30;
  for (let n = 0; n < size; n += 1)
    library.add({
      name: `seeded ${n}`,
      fileType: '.png',
      dimensions: '300x250',
      tab: 'static',
      nativeType: 0,
      sha256: String(n),
      uploadDate: '2025-01-01',
      reviewStatus: n >= size - pending ? 'pending' : 'approved',
    });
  const sim = await startSimulator(
    { ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true, sessionCheckMs: 0, gridDelayMs: 0 },
    media,
    library,
  );
  const uploader = await uploaderFor(sim, dir);
  const oldestPending = library.all.find(
    (creative) => creative.reviewStatus === 'pending' && creative.name === `seeded ${size - pending}`,
  )?.id;
  const before = uploader.pagesRead;
  await uploader.listAll(500, oldestPending);
  const read = uploader.pagesRead - before;
  // The 30 span three pages of twelve in their listing; the next page shows they are passed; the four other listings are read once each.
  const span = Math.ceil(pending / 12) + 1 + 4;
  console.log(
    `  one status sync, library of ${size.toLocaleString('en')} with ${pending} in review: ${read} pages read (the ${pending} span ${Math.ceil(pending / 12)} pages; ${span} with the page past them and one a listing); a full walk would read ${Math.ceil(size / 12).toLocaleString('en')}`,
  );
  await uploader.close();
  await sim.close();
}

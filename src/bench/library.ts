/**
 * Child process of the benchmark: the database at one library size. Prints JSON with start-up load
 * time, look-up cost by name and by hash, the cost of recording a state change, and peak RSS.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { holdHeapGrowth } from '../core/heap.js';
import { createLogger } from '../core/logger.js';
import { InventoryService } from '../tracking/inventory.service.js';
import { bareChangeMs } from './bare-change.js';
import { timeWalks } from './library-walks.js';
import { Layout, rootPath } from '../core/layout.js';
import type { CreativeRecord, OutputFile } from '../core/record.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { LibraryRepository } from '../store/library.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { PLATFORMS } from '../platform/registry.js';

holdHeapGrowth();
const size = Number(process.argv[2]);
const storage = new StorageRepository();
const dir = process.argv[3] === 'build' ? '' : await fs.mkdtemp(path.join(os.tmpdir(), 'cf-bench-db-'));

/** A year of creatives, oldest first, ending now: each uploaded to TJ and archived. */
const YEAR_MS = 365 * 86_400_000;
const NOW = Date.now();

function archivedRecord(n: number): Omit<CreativeRecord, 'key'> {
  const hash = createHash('sha256').update(String(n)).digest('hex');
  const id = hash.slice(0, 8).toUpperCase();
  const base = `EN_Cumshot_F_Real_NSFW_Generic_Seras_4sec_ID-${id}`;
  const at = new Date(NOW - YEAR_MS + Math.floor(((n + 1) * YEAR_MS) / (size + 1))).toISOString();
  const batch = `archive/batch_${String(Math.floor(n / 300) + 1).padStart(3, '0')}-${at.slice(0, 10)}`;
  const uploads = (offset: number): OutputFile['uploads'] => ({
    tj: { status: 'uploaded', creativeId: String(1_000_000_000 + n * 2 + offset), batch: 1, at },
  });
  return {
    state: 'archived',
    source: {
      path: rootPath(`inbox/native/Cumshot/video-${n}.mp4`),
      size: 20_000_000 + n,
      mtimeMs: 1_700_000_000_000 + n,
    },
    kind: 'native',
    hash,
    media: {
      type: 'video',
      format: 'mov,mp4,m4a,3gp,3g2,mj2',
      width: 1920,
      height: 1080,
      durationSec: 10,
      videoCodec: 'h264',
      hasAudio: true,
    },
    naming: {
      id,
      tokens: {
        language: 'EN',
        category: 'Cumshot',
        modelSex: 'F',
        style: 'Real',
        rating: 'NSFW',
        description: 'Generic',
        creator: 'Seras',
      },
      review: [],
    },
    outputs: [
      {
        role: 'video',
        path: rootPath(`${batch}/Native/Video/VID_${base}-VID.mp4`),
        bytes: 900_000,
        width: 640,
        height: 360,
        durationSec: 4,
        format: 'mp4',
        converted: true,
        uploads: uploads(0),
      },
      {
        role: 'image',
        path: rootPath(`${batch}/Native/Image/IMG_${base}-IMG.png`),
        bytes: 250_000,
        width: 640,
        height: 360,
        format: 'png',
        converted: true,
        uploads: uploads(1),
      },
      {
        role: 'original',
        path: rootPath(`${batch}/Native/ORG_${base}.mp4`),
        bytes: 20_000_000,
        width: 1920,
        height: 1080,
        durationSec: 10,
        format: 'mov,mp4,m4a,3gp,3g2,mj2',
        converted: false,
      },
    ],
    notes: ['native pair: cut to 4 s, centre-cropped to 640×360'],
    attempts: 0,
    times: { discovered: at, probed: at, named: at, converted: at, staged: at, uploaded: at, archived: at },
  };
}

// Build the library in a child (its memory is not ours), then open it fresh, as a restart would.
if (process.argv[3] === 'build') {
  const root = process.argv[4] ?? '';
  const builder = await CreativeRepository.open(new Layout(root).db, storage);
  const library = await LibraryRepository.open(PLATFORMS.tj.libraryCacheFile(new Layout(root)), storage);
  for (let n = 0; n < size; n += 1) {
    const record = builder.create(archivedRecord(n));
    for (const output of record.outputs ?? []) {
      const creativeId = output.uploads?.tj?.creativeId;
      if (creativeId)
        library.set(path.posix.basename(output.path), {
          creativeId,
          dimensions: '640x360',
          fileType: path.posix.extname(output.path),
          reviewStatus: 'approved',
          creativeType: output.role === 'video' ? 'Native Video' : 'Native Image',
          uploadDate: output.uploads?.tj?.at.slice(0, 10) ?? '',
        });
    }
    if (n % 5_000 === 4_999) await builder.flush();
  }
  await builder.close();
  await library.save();
  process.exit(0);
}
await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), String(size), 'build', dir]);
const layout = new Layout(dir);
const bytesOnDisk = (
  await Promise.all(
    (await fs.readdir(layout.db))
      .filter((name) => name.startsWith('creatives-'))
      .map(async (name) => (await fs.stat(path.join(layout.db, name))).size),
  )
).reduce((a, b) => a + b, 0);

const loadStarted = performance.now();
const repository = await CreativeRepository.open(layout.db, storage);
const loadMs = performance.now() - loadStarted;
const loadPeakRssMb = process.resourceUsage().maxRSS / 1024;

const probes = 200_000;
const names = Array.from({ length: 1_000 }, (_, i) =>
  path.posix.basename(archivedRecord((i * 7_919) % size).outputs?.[0]?.path ?? ''),
);
const hashes = Array.from({ length: 1_000 }, (_, i) => archivedRecord((i * 104_729) % size).hash ?? '');
let found = 0;
let started = performance.now();
for (let i = 0; i < probes; i += 1) if (repository.index.byName(names[i % names.length] ?? '')) found += 1;
const byNameUs = ((performance.now() - started) * 1000) / probes;
started = performance.now();
for (let i = 0; i < probes; i += 1) if (repository.index.byHash(hashes[i % hashes.length] ?? '')) found += 1;
const byHashUs = ((performance.now() - started) * 1000) / probes;
if (found !== probes * 2) throw new Error(`look-ups missed: ${probes * 2 - found}`);

/** Commits `changes` state changes to the records `keyOf` picks, 8 in flight; ms per change. */
async function timeChanges(changes: number, keyOf: (i: number) => string): Promise<number> {
  const begun = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < changes; i += 1) {
    const record = await repository.load(keyOf(i));
    if (!record) throw new Error('missing record');
    const commit = repository
      .commit({ ...record, attempts: record.attempts + 1 })
      .finally(() => inFlight.delete(commit));
    inFlight.add(commit);
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return (performance.now() - begun) / changes;
}

// As the pipeline changes records: the files in progress, all in memory, in the newest segments.
const recent = Math.min(size, 1_000);
for (let i = 0; i < recent; i += 128) await repository.load(`c${size - recent + i}`);
const amortisedMs = await timeChanges(2_000, (i) => `c${size - recent + ((i * 7_919) % recent)}`);
const changesPeakRssMb = process.resourceUsage().maxRSS / 1024;
// Spread over the whole library, each reading its record's segment first (a status sync, say).
const spreadMs = await timeChanges(2_000, (i) => `c${(i * 7_919) % size}`);
const spreadPeakRssMb = process.resourceUsage().maxRSS / 1024;

// One change at a time, each waiting for its own write: the worst case.
const single = 200;
started = performance.now();
for (let i = 0; i < single; i += 1) {
  const record = await repository.load(`c${(i * 104_729) % size}`);
  if (record) await repository.commit({ ...record, attempts: record.attempts + 1 });
}
const singleMs = (performance.now() - started) / single;

// The inventory: rendered whole once (a first start), then again after changes spread over the
// library, as the daemon rewrites it (which spaces rewrites by ten times this).
const log = createLogger({ level: 'silent', pretty: false });
const csv = new InventoryService(repository, storage, log, {
  file: layout.inventoryCsv,
  partsDir: layout.inventoryParts,
  debounceMs: 0,
});
started = performance.now();
await csv.writeNow();
const inventoryFullMs = performance.now() - started;
await timeChanges(30, (i) => `c${(i * 7_919) % size}`);
started = performance.now();
await csv.writeNow();
const inventoryMs = performance.now() - started;
const walks = await timeWalks(
  repository,
  await LibraryRepository.open(PLATFORMS.tj.libraryCacheFile(layout), storage),
  layout,
  storage,
  log,
);
await repository.close();
// The same 200 segments changed by bare fs calls, once ours is closed: the disk's floors, side by side.
const singleSegments = Array.from({ length: single }, (_, i) => repository.segmentOf(`c${(i * 104_729) % size}`));
const bareAppendMs = await bareChangeMs(layout.db, singleSegments, 'append');
const bareRewriteMs = await bareChangeMs(layout.db, singleSegments, 'rewrite');
if (!process.env.KEEP_DB) await fs.rm(dir, { recursive: true, force: true });
else console.error(dir);

console.log(
  JSON.stringify({
    size,
    mbOnDisk: bytesOnDisk / 1e6,
    loadMs,
    loadPeakRssMb,
    byNameUs,
    byHashUs,
    amortisedMs,
    spreadMs,
    singleMs,
    bareAppendMs,
    bareRewriteMs,
    changesPeakRssMb,
    spreadPeakRssMb,
    inventoryMs,
    inventoryFullMs,
    ...walks,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);

/**
 * ExoClick benchmark: uploads per second to the ExoClick API simulator through our adapter (one
 * transport: login, rate limits, hashes kept for the look-up) against a plain `curl` loop sending
 * the same files with the same token.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { EXO_PROFILE } from '../config/profile.js';
import { createLogger } from '../core/logger.js';
import { USER_AGENT } from '../core/product.js';
import { openMedia } from '../media/ffmpeg-binaries.js';
import { SampleMedia } from '../media/sample-media.js';
import { ExoUploader } from '../platform/exoclick/exo-uploader.js';
import type { UploadFile } from '../platform/uploader.js';
import { startExoSimulator } from '../simulators/exoclick/server.js';
import { StorageRepository } from '../store/storage.repository.js';

const run = promisify(execFile);
const TOKEN = 'bench-token';
const storage = new StorageRepository();
const samples = new SampleMedia(openMedia(), storage);

export async function exoUploadBenchmark(count = 100): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cf-bench-exo-'));
  const files: UploadFile[] = await Promise.all(
    Array.from({ length: count }, async (_, n) => {
      const name = `exo_bench_ID-${String(n).padStart(8, '0')}`;
      return {
        path: await samples.image(path.join(dir, `${name}.png`), { width: 300, height: 250, seed: n + 1 }),
        name,
      };
    }),
  );

  const plain = await startExoSimulator({ port: 0, apiTokens: [TOKEN] });
  let started = performance.now();
  const { stdout } = await run('curl', [
    '-sS',
    '-A',
    USER_AGENT,
    '-H',
    'Content-Type: application/json',
    '-d',
    JSON.stringify({ api_token: TOKEN }),
    `${plain.url}/v2/login`,
  ]);
  const token = (JSON.parse(stdout) as { token: string }).token;
  for (const file of files) {
    await run('curl', [
      '-sS',
      '-f',
      '-A',
      USER_AGENT,
      '-H',
      `Authorization: Bearer ${token}`,
      '-F',
      'type=image',
      '-F',
      `file=@${file.path}`,
      `${plain.url}/v2/library/file`,
    ]);
  }
  const curlSeconds = (performance.now() - started) / 1000;
  const curlKept = plain.state().files.length;
  await plain.close();

  const ours = await startExoSimulator({ port: 0, apiTokens: [TOKEN] });
  started = performance.now();
  const uploader = await ExoUploader.open(
    { apiUrl: `${ours.url}/v2/`, apiToken: TOKEN, fileTypes: EXO_PROFILE.fileTypes, userAgent: USER_AGENT },
    { storage, log: createLogger({ level: 'silent', pretty: false }) },
  );
  for (let i = 0; i < files.length; i += 10) await uploader.upload('static-banner', files.slice(i, i + 10));
  const oursSeconds = (performance.now() - started) / 1000;
  const oursKept = ours.state().files.length;
  await uploader.close();
  await ours.close();

  console.log(`\nExoClick uploads: ${count} images (300×250 PNG) to the API simulator, one login each way`);
  console.log(`  plain curl loop:     ${(curlKept / curlSeconds).toFixed(1)} uploads/s (${curlKept} kept)`);
  console.log(`  creative-flow:       ${(oursKept / oursSeconds).toFixed(1)} uploads/s (${oursKept} kept)`);
  console.log(
    `  ratio ours / curl:   ${(oursKept / oursSeconds / (curlKept / curlSeconds)).toFixed(2)}  (above 1: faster than the curl loop)`,
  );
  await fs.rm(dir, { recursive: true, force: true });
}

/**
 * Child process of the benchmark: `process --once` on a root, in-process, then prints the wall
 * time and this process's peak RSS as JSON.
 */
import { openApp } from '../app.js';
import { loadConfig } from '../config/config.js';
import { holdHeapGrowth } from '../core/heap.js';
import { createLogger } from '../core/logger.js';

holdHeapGrowth();
const root = process.argv[2];
if (!root) throw new Error('usage: process-root.js ROOT');
const started = performance.now();
const app = await openApp(
  await loadConfig({ root, env: { ...process.env, STABILITY_MS: '0', LOG_LEVEL: 'warn' } }),
  createLogger({ level: 'warn', pretty: false }),
);
const { status } = await app.jobs.processOnce();
await app.close();
console.log(
  JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    staged: status.counts.staged,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run test:sweep [-- --full] [-- --seed N]`: the fault sweeps alone. `--full` strikes every
 * request of every flow (long: run it by hand); without it, a seeded sample, as `npm test` runs.
 */
const args = process.argv.slice(2);
const unknown = args.filter((arg, index) => arg !== '--full' && arg !== '--seed' && args[index - 1] !== '--seed');
if (unknown.length > 0) {
  process.stderr.write(`test:sweep takes --full and --seed N, not ${unknown.join(' ')}\n`);
  process.exit(2);
}
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? args[seedAt + 1] : undefined;
if (seedAt >= 0 && !/^\d+$/.test(seed ?? '')) {
  process.stderr.write('--seed takes a whole number (the one a failed sweep printed)\n');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const env = {
  ...process.env,
  ...(args.includes('--full') ? { SWEEP_FULL: '1' } : {}),
  ...(seed ? { SWEEP_SEED: seed } : {}),
};
const vitest = spawn(
  process.execPath,
  [
    path.join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--dir',
    'src/test/sweep',
    '--maxWorkers=2',
    '--testTimeout=0',
    '--hookTimeout=180000',
  ],
  { cwd: root, env, stdio: 'inherit' },
);
vitest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

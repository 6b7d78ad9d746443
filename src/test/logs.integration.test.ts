import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, FAST_ENV, startDaemon } from './cli-runner.js';
import { makeImage, tempRoot, waitFor } from './fixtures.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe("the daemon's logs", () => {
  it('rotate in-process by size: a set number of files is kept, each whole JSON lines, current.log on the newest', async () => {
    const root = await tempRoot();
    const daemon = startDaemon(root, { LOG_ROTATE_SIZE: '2k', LOG_KEEP: '2' });
    try {
      await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
      for (let n = 0; n < 12; n += 1) await makeImage(path.join(root, 'inbox', `banner ${n}.png`), { seed: n });
      // Every file handled (none left in inbox/) and the log rotated past its fourth file. Not "the
      // last file's name in current.log": the lines after it may have rotated current.log on to a
      // newer file before it is read.
      const logs = path.join(root, 'data', 'logs');
      await waitFor(
        async () => {
          const waiting = (await fs.readdir(path.join(root, 'inbox'))).filter((name) => name.startsWith('banner'));
          const newest = Math.max(
            0,
            ...(await fs.readdir(logs)).map((name) => Number(/^creative-flow\.(\d+)\.log$/.exec(name)?.[1] ?? 0)),
          );
          return (waiting.length === 0 && newest >= 4) || undefined;
        },
        120_000,
        'every file handled and the log rotated four times',
        300,
      );
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
    const dir = path.join(root, 'data', 'logs');
    const files = (await fs.readdir(dir)).filter((name) => /^creative-flow\.\d+\.log$/.test(name));
    const numbers = files.map((name) => Number(/\.(\d+)\.log$/.exec(name)?.[1])).sort((a, b) => a - b);
    expect(files.length).toBeLessThanOrEqual(3);
    expect(numbers.at(-1)).toBeGreaterThanOrEqual(4);
    expect(await fs.readlink(path.join(dir, 'current.log'))).toBe(`creative-flow.${numbers.at(-1)}.log`);
    for (const name of files)
      for (const line of (await fs.readFile(path.join(dir, name), 'utf8')).split('\n').filter(Boolean))
        expect(() => JSON.parse(line)).not.toThrow();
  });

  it.skipIf(!hasScript)('print through pino-pretty on a terminal, and stay JSON in the file', async () => {
    const root = await tempRoot();
    // `script` gives the daemon a pseudo-terminal, as `npm start` in a shell would.
    const child = spawn('script', ['-qfec', `${process.execPath} ${CLI} start --root ${root}`, '/dev/null'], {
      env: { ...process.env, ...FAST_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(() => output.includes('Watching inbox/'), 30_000, 'daemon start on a terminal');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
    expect(output).toMatch(/INFO.*Watching inbox\//);
    expect(output).not.toContain('{"level"');
    expect(await fs.readFile(path.join(root, 'data', 'logs', 'current.log'), 'utf8')).toContain(
      '"msg":"Watching inbox/"',
    );
  });
});

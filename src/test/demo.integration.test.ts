import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-runner.js';
import { waitFor } from './fixtures.js';

describe('npm run demo', () => {
  it('stops gracefully on one Ctrl-C: the terminal signals its whole group, and the daemon gets one signal', async () => {
    // As a terminal runs it: a process group of its own, which Ctrl-C signals whole.
    const demo = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'demo.js')], {
      env: { ...process.env, DASHBOARD_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | string>((resolve) =>
      demo.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    try {
      await waitFor(
        () => output.includes('Press Ctrl-C to stop.') && output.includes('Watching inbox/'),
        90_000,
        'the demo running',
      );
      process.kill(-(demo.pid ?? 0), 'SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('Stopped. The demo root stays at');
      expect(output).not.toContain('Second signal');
      expect(output.match(/"msg":"Signal received"/g)?.length ?? output.match(/Signal received/g)?.length).toBe(1);
    } finally {
      demo.kill('SIGKILL');
    }
  });
});

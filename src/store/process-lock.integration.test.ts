import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test/cli-runner.js';
import { tempRoot, waitFor } from '../test/fixtures.js';
import { ProcessLock, RootInUseError } from './process-lock.js';
import { StorageRepository } from './storage.repository.js';

const run = promisify(execFile);
const storage = new StorageRepository();
const BUILT_LOCK = path.join(REPO_ROOT, 'dist', 'store', 'process-lock.js');
const BUILT_STORAGE = path.join(REPO_ROOT, 'dist', 'store', 'storage.repository.js');

/** A separate process that tries the lock, holds it for `holdMs`, and logs when it held it. */
function contender(lockFile: string, log: string, holdMs: number): Promise<unknown> {
  const script = `
    import fs from 'node:fs/promises';
    import { ProcessLock } from ${JSON.stringify(BUILT_LOCK)};
    import { StorageRepository } from ${JSON.stringify(BUILT_STORAGE)};
    try {
      const lock = await ProcessLock.acquire(${JSON.stringify(lockFile)}, new StorageRepository());
      const from = Date.now();
      await new Promise((resolve) => setTimeout(resolve, ${holdMs}));
      await fs.appendFile(${JSON.stringify(log)}, JSON.stringify({ from, to: Date.now() }) + '\\n');
      await lock.release();
    } catch (error) {
      if (error.name !== 'RootInUseError') throw error;
    }`;
  return run(process.execPath, ['--input-type=module', '-e', script]);
}

describe('ProcessLock', () => {
  it('lets one of many processes starting together hold the root at a time', async () => {
    const dir = await tempRoot();
    const lockFile = path.join(dir, 'creative-flow.lock');
    const log = path.join(dir, 'held.log');
    for (let round = 0; round < 3; round += 1)
      await Promise.all(Array.from({ length: 8 }, () => contender(lockFile, log, 150)));
    const held = (await fs.readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { from: number; to: number })
      .sort((a, b) => a.from - b.from);
    expect(held.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < held.length; i += 1)
      expect(held[i]?.from, 'two holders at once').toBeGreaterThanOrEqual(held[i - 1]?.to ?? 0);
    expect(await storage.exists(lockFile)).toBe(false);
  });

  it('refuses while a live process holds it, naming its pid', async () => {
    const dir = await tempRoot();
    const lockFile = path.join(dir, 'creative-flow.lock');
    const holder = contender(lockFile, path.join(dir, 'held.log'), 3_000);
    await waitFor(() => storage.exists(lockFile), 30_000, 'the other process to take the lock', 20);
    await expect(ProcessLock.acquire(lockFile, storage)).rejects.toThrow(
      /Another creative-flow \(pid \d+, since .*\) is using this root/,
    );
    await holder;
  });

  it('takes over a lock whose process is gone, or whose pid now belongs to another process', async () => {
    const dir = await tempRoot();
    const lockFile = path.join(dir, 'creative-flow.lock');
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    await fs.writeFile(
      lockFile,
      JSON.stringify({ pid: gone.pid, started: '1', host: os.hostname(), since: '2026-11-01T00:00:00Z' }),
    );
    await (await ProcessLock.acquire(lockFile, storage)).release();

    const other = spawn('sleep', ['5']);
    await fs.writeFile(
      lockFile,
      JSON.stringify({
        pid: other.pid,
        started: 'not when it started',
        host: os.hostname(),
        since: '2026-11-01T00:00:00Z',
      }),
    );
    const lock = await ProcessLock.acquire(lockFile, storage);
    expect(JSON.parse(await fs.readFile(lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
    other.kill();
  });

  it('treats a lock an older version is still writing as held, and an old unreadable one as stale', async () => {
    const dir = await tempRoot();
    const lockFile = path.join(dir, 'creative-flow.lock');
    await fs.writeFile(lockFile, '');
    await expect(ProcessLock.acquire(lockFile, storage)).rejects.toThrow(RootInUseError);
    const minuteAgo = new Date(Date.now() - 60_000);
    await fs.utimes(lockFile, minuteAgo, minuteAgo);
    await (await ProcessLock.acquire(lockFile, storage)).release();
  });

  it('takes over a dead lock from this kernel under another hostname (a container restarted), and says how to clear one from another machine', async () => {
    const dir = await tempRoot();
    const lockFile = path.join(dir, 'creative-flow.lock');
    const boot = (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    // A pid no process has: the container that held it is gone.
    const dead = {
      pid: 2 ** 22 + 12_345,
      started: '1',
      host: 'container-before-restart',
      boot,
      since: '2026-11-30T10:00:00.000Z',
    };
    await fs.writeFile(lockFile, JSON.stringify(dead));
    const lock = await ProcessLock.acquire(lockFile, storage);
    expect(JSON.parse(await fs.readFile(lockFile, 'utf8'))).toMatchObject({
      pid: process.pid,
      host: os.hostname(),
      boot,
    });
    await lock.release();

    await fs.writeFile(lockFile, JSON.stringify({ ...dead, host: 'other-machine', boot: 'another-kernel' }));
    const refused = await ProcessLock.acquire(lockFile, storage).then(
      () => undefined,
      (error: unknown) => error as RootInUseError,
    );
    expect(refused).toBeInstanceOf(RootInUseError);
    expect(refused?.plain).toMatch(
      /pid 4206649 on other-machine.*another machine \(other-machine\).*if nothing runs there any more, remove .*creative-flow\.lock/s,
    );
  });

  it('holds a root against a machine of the same hostname whose boot id differs (two clones sharing a network folder)', async () => {
    const dir = await tempRoot();
    const lockFile = path.join(dir, 'creative-flow.lock');
    // Dead here, but its pid says nothing: it ran on another kernel that happens to share our hostname.
    const twin = {
      pid: 2 ** 22 + 12_346,
      started: '1',
      host: os.hostname(),
      boot: 'the-other-clone',
      since: '2026-12-07T10:00:00.000Z',
    };
    await fs.writeFile(lockFile, JSON.stringify(twin));
    const refused = await ProcessLock.acquire(lockFile, storage).then(
      () => undefined,
      (error: unknown) => error as RootInUseError,
    );
    expect(refused).toBeInstanceOf(RootInUseError);
    expect(refused?.plain).toMatch(/another machine/);
    expect(JSON.parse(await fs.readFile(lockFile, 'utf8'))).toEqual(twin);
    expect(await ProcessLock.holder(lockFile, storage)).toBeUndefined();
  });
});

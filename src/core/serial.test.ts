import { describe, expect, it } from 'vitest';
import { Serial, SerialByKey } from './serial.js';

/** A promise settled from outside: the test decides when a task ends. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Serial', () => {
  it('runs tasks one at a time, in the order asked, each after the one before has ended', async () => {
    const serial = new Serial();
    const log: string[] = [];
    const first = deferred();
    const second = deferred();
    const a = serial.run(async () => {
      log.push('a starts');
      await first.promise;
      log.push('a ends');
      return 'a';
    });
    const b = serial.run(async () => {
      log.push('b starts');
      await second.promise;
      log.push('b ends');
      return 'b';
    });
    const c = serial.run(() => {
      log.push('c runs');
      return 'c';
    });
    // Let every microtask run: only the first task may have started.
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a starts']);
    // Ended out of order: b still waits for a.
    second.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a starts']);
    first.resolve();
    expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c runs']);
    expect(serial.idle).toBe(true);
  });

  it('gives a rejection to its own caller, and runs the next task all the same', async () => {
    const serial = new Serial();
    const failing = serial.run(() => Promise.reject(new Error('the disk said no')));
    const thrown = serial.run(() => {
      throw new Error('thrown at once');
    });
    const next = serial.run(() => 'ran');
    await expect(failing).rejects.toThrow('the disk said no');
    await expect(thrown).rejects.toThrow('thrown at once');
    expect(await next).toBe('ran');
    await expect(serial.settled()).resolves.toBeUndefined();
  });

  it('never starts a task inside run itself, so a caller can keep what run returned first', async () => {
    const serial = new Serial();
    let seenByTask: Promise<void> | undefined;
    // The task reads `kept` when it runs: were it run inside `run`, `kept` would not be set yet.
    const kept: Promise<void> = serial.run(() => {
      seenByTask = kept;
    });
    expect(seenByTask).toBeUndefined();
    await kept;
    expect(seenByTask).toBe(kept);
  });

  it('says when every task asked for so far has settled', async () => {
    const serial = new Serial();
    const gate = deferred();
    let settled = false;
    void serial.run(() => gate.promise).catch(() => undefined);
    void serial.settled().then(() => (settled = true));
    expect(serial.idle).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    gate.reject(new Error('failed'));
    await serial.settled();
    expect(settled).toBe(true);
    expect(serial.idle).toBe(true);
  });
});

describe('SerialByKey', () => {
  it('keeps each key in order, lets other keys pass, and forgets a key once it is idle', async () => {
    const serial = new SerialByKey<string>();
    const log: string[] = [];
    const slow = deferred();
    const a1 = serial.run('a', async () => {
      await slow.promise;
      log.push('a1');
    });
    const a2 = serial.run('a', () => {
      log.push('a2');
    });
    const b1 = serial.run('b', () => {
      log.push('b1');
    });
    await b1;
    expect(log).toEqual(['b1']);
    slow.resolve();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['b1', 'a1', 'a2']);
    expect(serial.size).toBe(0);
  });

  it('runs the next write of a key after one that failed', async () => {
    const serial = new SerialByKey<string>();
    const failed = serial.run('file', () => Promise.reject(new Error('EIO')));
    const next = serial.run('file', () => 'written');
    await expect(failed).rejects.toThrow('EIO');
    expect(await next).toBe('written');
  });
});

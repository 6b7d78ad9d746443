import fs from 'node:fs/promises';
import path from 'node:path';
import { CreativeFlowError } from '../core/errors.js';

export class RootInUseError extends CreativeFlowError {}

/**
 * lowdb is for one process. This lock keeps a second daemon (or `process --once` beside a running
 * daemon) off the same root. A lock whose process is gone is taken over.
 */
export class ProcessLock {
  private constructor(private readonly file: string) {}

  static async acquire(dir: string): Promise<ProcessLock> {
    const file = path.join(dir, 'creative-flow.lock');
    await fs.mkdir(dir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await fs.writeFile(file, String(process.pid), { flag: 'wx' });
        return new ProcessLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number.parseInt(await fs.readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new RootInUseError(`Another creative-flow (pid ${holder}) is using this root`, {
          hint: 'Stop it first (pm2 stop creative-flow), or give this one another --root.',
        });
      }
      await fs.rm(file, { force: true });
    }
    throw new RootInUseError('Could not take the database lock', { hint: `Remove ${file} if no creative-flow is running.` });
  }

  async release(): Promise<void> {
    await fs.rm(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { CreativeFlowError } from '../core/errors.js';
import type { StorageRepository } from './storage.repository.js';

export class RootInUseError extends CreativeFlowError {}

/**
 * lowdb is for one process. This lock keeps a second daemon (or `process --once` beside a running
 * daemon) off the same root. A lock whose process is gone is taken over.
 */
export class ProcessLock {
  private constructor(
    private readonly file: string,
    private readonly storage: StorageRepository,
  ) {}

  static async acquire(file: string, storage: StorageRepository): Promise<ProcessLock> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await storage.createExclusive(file, String(process.pid));
        return new ProcessLock(file, storage);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number.parseInt((await storage.readText(file)) ?? '', 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new RootInUseError(`Another creative-flow (pid ${holder}) is using this root`, {
          hint: 'Stop it first (pm2 stop creative-flow), or give this one another --root.',
        });
      }
      await storage.remove(file);
    }
    throw new RootInUseError('Could not take the database lock', { hint: `Remove ${file} if no creative-flow is running.` });
  }

  async release(): Promise<void> {
    await this.storage.remove(this.file);
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

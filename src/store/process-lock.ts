import os from 'node:os';
import { CreativeFlowError } from '../core/errors.js';
import type { StorageRepository } from './storage.repository.js';

export class RootInUseError extends CreativeFlowError {}

/** Who holds the lock: enough to tell a live holder from a dead one whose pid was given to another process. */
interface Holder {
  readonly pid: number;
  /** The process's start time as the kernel counts it (Linux); a reused pid has another. */
  readonly started: string | null;
  readonly host: string;
  /** The kernel's boot id (Linux): the same in a container restarted under a new hostname, another after a reboot or on another machine. */
  readonly boot: string | null;
  readonly since: string;
}

/** A lock written by an older version (a bare pid, written after the file was created) is trusted for this long. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * lowdb is for one process. This lock keeps a second daemon (or `process --once` beside a running
 * daemon) off the same root. It is created with its content in one step, so it is never seen
 * empty; a lock whose process is gone, or whose pid now belongs to another process, is taken over.
 */
export class ProcessLock {
  private constructor(
    private readonly file: string,
    private readonly content: string,
    private readonly storage: StorageRepository,
  ) {}

  static async acquire(file: string, storage: StorageRepository): Promise<ProcessLock> {
    const me: Holder = {
      pid: process.pid,
      started: await startTime(process.pid, storage),
      host: os.hostname(),
      boot: await bootId(storage),
      since: new Date().toISOString(),
    };
    const content = JSON.stringify(me);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        await storage.createExclusive(file, content);
        return new ProcessLock(file, content, storage);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = await storage.readText(file);
      if (existing === undefined) continue;
      const holder = parseHolder(existing);
      if (await isHeld(holder, existing, file, storage, me)) {
        const elsewhere = holder !== undefined && !sameKernel(holder, me);
        const who = holder
          ? `pid ${holder.pid}${elsewhere ? ` on ${holder.host}` : ''}, since ${holder.since}`
          : 'a creative-flow that is starting';
        const hint = elsewhere
          ? `It runs on another machine (${holder.host}), which cannot be checked from here. Stop it there; if nothing runs there any more, remove ${file}.`
          : 'Stop it first (pm2 stop creative-flow), or give this one another --root.';
        throw new RootInUseError(`Another creative-flow (${who}) is using this root`, { hint });
      }
      // Stale: removed only if it is still the same stale lock, never one taken over meanwhile.
      await storage.removeIfUnchanged(file, existing);
    }
    throw new RootInUseError('Could not take the database lock', {
      hint: `Remove ${file} if no creative-flow is running.`,
    });
  }

  /** The pid of the live process on this machine holding the root, if one does. */
  static async holder(file: string, storage: StorageRepository): Promise<number | undefined> {
    const text = await storage.readText(file);
    if (text === undefined) return undefined;
    const holder = parseHolder(text);
    const me = { host: os.hostname(), boot: await bootId(storage) };
    return holder && sameKernel(holder, me) && (await isHeld(holder, text, file, storage, me)) ? holder.pid : undefined;
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    await this.storage.removeIfUnchanged(this.file, this.content);
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid !== 'number') return undefined;
    return {
      pid: value.pid,
      started: value.started ?? null,
      host: value.host ?? '',
      boot: value.boot ?? null,
      since: value.since ?? '',
    };
  } catch {
    return undefined;
  }
}

async function isHeld(
  holder: Holder | undefined,
  text: string,
  file: string,
  storage: StorageRepository,
  me: Pick<Holder, 'host' | 'boot'>,
): Promise<boolean> {
  if (!holder) {
    // An older version writes the pid after creating the file: young and unreadable means being written.
    const legacyPid = Number.parseInt(text, 10);
    if (Number.isInteger(legacyPid)) return isAlive(legacyPid);
    const age = Date.now() - ((await storage.stat(file))?.mtimeMs ?? 0);
    return age < UNREADABLE_GRACE_MS;
  }
  // Another machine's process cannot be checked from here (a shared folder): it holds the root.
  if (!sameKernel(holder, me)) return true;
  if (!isAlive(holder.pid)) return false;
  const started = await startTime(holder.pid, storage);
  return holder.started === null || started === null || started === holder.started;
}

/**
 * Whether the holder ran on this kernel. The boot id decides when both sides have one: two
 * machines cloned from one image share a hostname, not a boot id, and a container restarted under
 * a new hostname keeps its host's. The hostname decides only where a side has no boot id.
 */
function sameKernel(holder: Pick<Holder, 'host' | 'boot'>, me: Pick<Holder, 'host' | 'boot'>): boolean {
  if (holder.boot !== null && me.boot !== null) return holder.boot === me.boot;
  return holder.host === me.host;
}

/** This kernel's boot id; null where there is none to read. */
async function bootId(storage: StorageRepository): Promise<string | null> {
  return (await storage.readText('/proc/sys/kernel/random/boot_id').catch(() => undefined))?.trim() || null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. Null where there is no /proc. */
async function startTime(pid: number, storage: StorageRepository): Promise<string | null> {
  const stat = await storage.readText(`/proc/${pid}/stat`).catch(() => undefined);
  if (stat === undefined) return null;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The built CLI: `npm test` builds first, so tests run what users run. */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Settings that make tests quick; a test adds its own. */
/** The dashboard is off unless a test gives it a port: commands then run themselves, as most tests expect. */
export const FAST_ENV = {
  STABILITY_MS: '100',
  LOG_LEVEL: 'info',
  INVENTORY_DEBOUNCE_MS: '50',
  RECONCILE_CRON: '*/2 * * * * *',
  DASHBOARD_PORT: '0',
};

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...FAST_ENV, ...env },
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

export interface Daemon {
  readonly child: ChildProcess;
  /** Everything the daemon has logged so far. */
  output(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

/** Who the daemon runs as: another user than the tests', to meet permission checks root skips. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

export function startDaemon(root: string, env: Record<string, string> = {}, runAs?: RunAs): Daemon {
  return startCli(['start', '--root', root], env, runAs);
}

/** Any command, left running: for a test that stops it (a signal, a kill -9) while it works. */
export function startCli(args: readonly string[], env: Record<string, string> = {}, runAs?: RunAs): Daemon {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...FAST_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs ?? {}),
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, output: () => output, exited };
}

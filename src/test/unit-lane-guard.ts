import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { builtinEnvironments, type Environment } from 'vitest/runtime';

/**
 * The unit lane's guard. A unit test runs on fakes behind the interfaces: it may not start a
 * process (ffmpeg, ffprobe, Chromium, pm2, the built CLI) or open a socket (a server's `listen`, or
 * any connection out, `fetch` and `http.request` included, which connect through `net.Socket`).
 * Under this guard each such call throws, so a test that needs one says so by its name,
 * `*.integration.test.ts`, and runs in the integration lane instead.
 *
 * `npm run test:unit` loads it as vitest's test environment (`--environment
 * ./src/test/unit-lane-guard.ts`: vitest's CLI has no `--setupFiles`, and a config file would be a
 * new file at the top of the repository). It is Node's own environment plus the guard; the
 * integration lane runs on plain `node`. Its `setup` runs inside each test worker before the test
 * file is imported: the worker's channel to vitest is open by then, and is not a `net` connection.
 * The CommonJS objects are patched, then `syncBuiltinESMExports` makes ESM named imports
 * (`import { execFile } from 'node:child_process'`) see the patch too; `teardown` puts them back.
 */
export const UNIT_LANE_REFUSAL =
  'a unit test may not start a process or open a socket: rename it to *.integration.test.ts';

function refuse(what: string): never {
  throw new Error(`${UNIT_LANE_REFUSAL} (it called ${what})`);
}

const PROCESS_CALLS = ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork'] as const;

interface Patch {
  readonly target: object;
  readonly key: string;
  readonly value: (...args: unknown[]) => never;
}

const PATCHES: readonly Patch[] = [
  ...PROCESS_CALLS.map((name) => ({
    target: childProcess,
    key: name,
    value: (command: unknown) => refuse(`child_process.${name}(${JSON.stringify(String(command))})`),
  })),
  { target: net.Server.prototype, key: 'listen', value: () => refuse('net.Server.listen') },
  { target: net.Socket.prototype, key: 'connect', value: () => refuse('net.Socket.connect') },
];

function guard(): () => void {
  const originals = PATCHES.map(({ target, key }) => Object.getOwnPropertyDescriptor(target, key));
  PATCHES.forEach(({ target, key, value }, index) => {
    Object.defineProperty(target, key, {
      configurable: true,
      enumerable: originals[index]?.enumerable ?? true,
      writable: true,
      value,
    });
  });
  syncBuiltinESMExports();
  return () => {
    PATCHES.forEach(({ target, key }, index) => {
      const original = originals[index];
      if (original) Object.defineProperty(target, key, original);
      else Reflect.deleteProperty(target, key);
    });
    syncBuiltinESMExports();
  };
}

const node = builtinEnvironments.node;

const unitLane: Environment = {
  name: 'unit-lane',
  viteEnvironment: node.viteEnvironment,
  async setup(global, options) {
    const inner = await node.setup(global, options);
    const unguard = guard();
    return {
      async teardown(global) {
        unguard();
        await inner.teardown(global);
      },
    };
  },
};

export default unitLane;

import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { CreativeRecord } from '../core/record.js';
import { parseSegment } from '../store/segment-file.js';
import { openMedia } from '../media/ffmpeg-binaries.js';
import type { SimLibrary } from '../simulators/tj/library.js';
import { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from '../simulators/tj/options.js';
import { startSimulator, type RunningSimulator, type SimState } from '../simulators/tj/server.js';
import { sha256 } from './fixtures.js';

/**
 * The TJ simulator as the end-to-end tests use it, and what they check against its `/_sim/state`.
 * `variant` picks the build of TJ's pages it serves (see simulator/variants.ts).
 */

const media = openMedia();

/** Starts a simulator on a free port, no captcha, for one test file (close it after). */
export function testSimulator(
  overrides: Partial<SimulatorOptions> = {},
  library?: SimLibrary,
): Promise<RunningSimulator> {
  return startSimulator({ ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true, ...overrides }, media, library);
}

/** The environment that points creative-flow at a simulator, uploads live. */
export function liveEnv(sim: RunningSimulator): Record<string, string> {
  return {
    TJ_LOGIN_URL: `${sim.url}/sign-in`,
    TJ_APP_URL: sim.url,
    TJ_USERNAME: 'demo',
    TJ_PASSWORD: 'demo-password',
    DRY_RUN: 'false',
    UPLOAD_PACE_MS: '0',
  };
}

export async function simState(sim: RunningSimulator): Promise<SimState> {
  return (await (await fetch(`${sim.url}/_sim/state`)).json()) as SimState;
}

export async function simCreatives(sim: RunningSimulator): Promise<SimState['creatives']> {
  return (await simState(sim)).creatives;
}

/** No upload request ever carried a name TJ had already kept: nothing went up twice. */
export async function expectNothingResent(sim: RunningSimulator): Promise<void> {
  expect((await simState(sim)).resent).toEqual({});
}

/** Every record of a root, read from the database's segment files as they are on disk. */
export async function records(root: string): Promise<CreativeRecord[]> {
  const dir = path.join(root, 'data', 'db');
  const files = (await fs.readdir(dir)).filter((name) => /^creatives-\d+\.json$/.test(name));
  const segments = await Promise.all(
    files.map(async (name) => parseSegment(await fs.readFile(path.join(dir, name)), name).data),
  );
  return segments.flatMap((segment) => Object.values(segment.records));
}

/** Every uploaded output carries the id of the simulator's one creative of its name, holding its bytes; returns how many were checked. */
export async function expectIdsMatch(root: string, sim: RunningSimulator): Promise<number> {
  const onTj = await simCreatives(sim);
  let checked = 0;
  for (const record of await records(root)) {
    for (const output of record.outputs ?? []) {
      if (!output.uploads?.tj || output.uploads?.tj?.status === 'rejected') continue;
      const name = path.posix.basename(output.path).replace(/\.[^.]+$/, '');
      const matches = onTj.filter((creative) => creative.name === name);
      expect(matches, name).toHaveLength(1);
      expect(output.uploads?.tj?.creativeId, name).toBe(matches[0]?.id);
      if (output.uploads?.tj?.status === 'uploaded')
        expect(matches[0]?.sha256, name).toBe(await sha256(path.join(root, output.path)));
      checked += 1;
    }
  }
  return checked;
}

import { describe, expect, it } from 'vitest';
import { Layout } from '../core/layout.js';
import { PLATFORM_IDS, PLATFORM_NAMES } from '../core/platform.js';
import { byPlatform, platformModules, PLATFORMS } from './registry.js';

describe('the platform registry', () => {
  const layout = new Layout('/srv/root');

  it('holds one module for each platform id, under its own id and name', () => {
    expect(Object.keys(PLATFORMS).sort()).toEqual([...PLATFORM_IDS].sort());
    for (const id of PLATFORM_IDS) expect(PLATFORMS[id]).toMatchObject({ id, name: PLATFORM_NAMES[id] });
    expect(platformModules(['exoclick', 'tj']).map((platform) => platform.id)).toEqual(['tj', 'exoclick']);
    expect(byPlatform((id) => `${id}!`)).toEqual({ tj: 'tj!', exoclick: 'exoclick!' });
  });

  it("keeps each platform's files apart, under data/, with the names a root made before the registry has", () => {
    const files = PLATFORM_IDS.flatMap((id) => [
      PLATFORMS[id].statusFile(layout),
      PLATFORMS[id].libraryCacheFile(layout),
    ]);
    expect(new Set(files).size).toBe(files.length);
    for (const file of files) expect(file.startsWith(`${layout.data}/`)).toBe(true);
    expect(files.map((file) => layout.rel(file))).toEqual([
      'data/session/status.json',
      'data/db/library.json',
      'data/session/exoclick-status.json',
      'data/db/library-exoclick.json',
    ]);
  });
});

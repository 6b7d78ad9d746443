import { describe, expect, it } from 'vitest';
import { Layout } from '../core/layout.js';
import { platformIds, platformName, platformRefusal } from '../core/platform.js';
import { PLATFORMS } from './registry.js';

describe('the platform registry', () => {
  const layout = new Layout('/srv/root');
  const builtIn = [PLATFORMS.tj, PLATFORMS.exoclick];

  it('holds a module for each platform built in, under its own id and words, TJ first', () => {
    expect(platformIds().slice(0, 2)).toEqual(['tj', 'exoclick']);
    for (const platform of builtIn) {
      expect(platform).toMatchObject({ name: platformName(platform.id), refusal: platformRefusal(platform.id) });
    }
    expect(builtIn.map((platform) => platform.id)).toEqual(['tj', 'exoclick']);
  });

  it("keeps each platform's files apart, under data/, with the names a root made before the registry has", () => {
    const files = builtIn.flatMap((platform) => [platform.statusFile(layout), platform.libraryCacheFile(layout)]);
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

import { describe, expect, it } from 'vitest';
import { ActivityBus } from '../../core/events.js';
import { Layout } from '../../core/layout.js';
import { createLogger } from '../../core/logger.js';
import { openMedia } from '../../media/ffmpeg-binaries.js';
import { DEFAULT_SIMULATOR_OPTIONS } from '../../simulators/tj/options.js';
import { startSimulator } from '../../simulators/tj/server.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { tempRoot } from '../../test/fixtures.js';
import { TjUploader } from './tj-uploader.js';

const log = createLogger({ level: 'silent', pretty: false });

describe('a walk of the TJ library told to stop', () => {
  it('turns no further page and starts no further listing, and returns the page it read', async () => {
    const sim = await startSimulator({ ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true }, openMedia());
    // Three pages of the first listing walked (native static banners): there is a next page to not turn.
    for (let n = 0; n < 30; n += 1)
      sim.library.add({
        name: `IMG_walk_ID-${String(n).padStart(8, '0')}-IMG`,
        fileType: '.png',
        dimensions: '640x360',
        tab: 'native',
        nativeType: 0,
        sha256: String(n),
        uploadDate: '2026-12-01',
      });
    const events = new ActivityBus();
    const uploader = await TjUploader.open(
      {
        loginUrl: `${sim.url}/sign-in`,
        appUrl: sim.url,
        username: 'demo',
        password: 'demo-password',
        chromiumPath: undefined,
      },
      { layout: new Layout(await tempRoot()), storage: new StorageRepository(), log, events },
    );
    try {
      const stop = new AbortController();
      const pages: string[] = [];
      // The daemon stops while the first page is being read.
      events.on('progress', (progress) => {
        pages.push(`${progress.part} ${progress.done}`);
        stop.abort();
      });
      const before = uploader.pagesRead;
      const listed = await uploader.listAll(50, undefined, stop.signal);
      expect(pages).toEqual(['Native Static Banner 1']);
      expect(uploader.pagesRead - before).toBe(1);
      expect(listed).toHaveLength(12);
    } finally {
      await uploader.close();
      await sim.close();
    }
  });
});

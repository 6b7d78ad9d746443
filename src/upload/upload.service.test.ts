import { describe, expect, it } from 'vitest';
import { ActivityBus } from '../core/events.js';
import { Layout, rootPath } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import type { CreativeRecord, OutputFile } from '../core/record.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { LibraryRepository } from '../store/library.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { FakePlatform } from '../test/fake-platform.js';
import { tempRoot } from '../test/fixtures.js';
import { UploadService } from './upload.service.js';
import { PLATFORMS } from '../platform/registry.js';

const storage = new StorageRepository();
const log = createLogger({ level: 'silent', pretty: false });

interface Harness {
  readonly root: string;
  readonly creatives: CreativeRepository;
  readonly library: LibraryRepository;
  readonly platform: FakePlatform;
  readonly service: UploadService;
  /** A staged native pair: its video and thumbnail names, as the platform shows them. */
  nativePair(id: string): Promise<{ key: string; video: string; image: string }>;
  /** A staged image creative: its name. */
  image(id: string): Promise<{ key: string; name: string }>;
  record(key: string): Promise<CreativeRecord | undefined>;
}

async function harness(root?: string): Promise<Harness> {
  const layout = new Layout(root ?? (await tempRoot()));
  const creatives = await CreativeRepository.open(layout.db, storage);
  const library = await LibraryRepository.open(PLATFORMS.tj.libraryCacheFile(layout), storage);
  const platform = new FakePlatform();
  const service = new UploadService({
    creatives,
    library,
    layout,
    events: new ActivityBus(),
    log,
    options: {
      platform: 'tj',
      platforms: ['tj'],
      batchSize: 3,
      paceMs: 0,
      retries: 2,
      retryBaseMs: 1,
      lookupPages: 3,
      maxFailedPasses: 3,
    },
  });
  const output = (role: OutputFile['role'], path: string): OutputFile => ({
    role,
    path: rootPath(path),
    bytes: 1,
    width: 640,
    height: 360,
    format: 'png',
    converted: role !== 'original',
  });
  const staged = async (kind: CreativeRecord['kind'], id: string, outputs: OutputFile[]): Promise<string> => {
    const record = creatives.create({
      state: 'staged',
      kind,
      source: { path: rootPath(`inbox/${id}.mp4`), size: 1, mtimeMs: 1 },
      hash: id.padEnd(64, '0'),
      outputs,
      attempts: 0,
      times: {},
    });
    await creatives.commit(record);
    return record.key;
  };
  return {
    root: layout.root,
    creatives,
    library,
    platform,
    service,
    async nativePair(id) {
      const video = `VID_EN_C_F_Real_NSFW_D_X_4sec_ID-${id}-VID`;
      const image = `IMG_EN_C_F_Real_NSFW_D_X_ID-${id}-IMG`;
      const key = await staged('native', id, [
        output('video', `uploaded/Native/Video/${video}.mp4`),
        output('image', `uploaded/Native/Image/${image}.png`),
        output('original', `uploaded/Native/ORG_x_ID-${id}.mp4`),
      ]);
      return { key, video, image };
    },
    async image(id) {
      const name = `EN_Banners_F_Real_NSFW_D_X_ID-${id}`;
      return { key: await staged('image', id, [output('creative', `uploaded/Image/${name}.png`)]), name };
    },
    record: (key) => creatives.load(key),
  };
}

const idOf = (record: CreativeRecord | undefined, role: OutputFile['role']): string | undefined =>
  record?.outputs?.find((output) => output.role === role)?.uploads?.tj?.creativeId;

describe('UploadService (fake platform)', () => {
  it('uploads in batches of one target, takes each id from the card of its own name, and never sends an original', async () => {
    const h = await harness();
    const pairs = await Promise.all(['0000000A', '0000000B'].map((id) => h.nativePair(id)));
    const images = await Promise.all(['0000000C', '0000000D', '0000000E', '0000000F'].map((id) => h.image(id)));
    const summary = await h.service.run(h.platform);
    expect(summary).toMatchObject({ uploaded: 8, duplicates: 0, rejected: 0, pending: 0, loginRequired: false });
    for (const pair of pairs) {
      const record = await h.record(pair.key);
      expect(record?.state).toBe('uploaded');
      expect(idOf(record, 'video')).toBe(h.platform.cards.get(pair.video)?.creativeId);
      expect(idOf(record, 'image')).toBe(h.platform.cards.get(pair.image)?.creativeId);
      expect(record?.outputs?.find((output) => output.role === 'original')?.uploads?.tj).toBeUndefined();
    }
    for (const image of images)
      expect(idOf(await h.record(image.key), 'creative')).toBe(h.platform.cards.get(image.name)?.creativeId);
    expect([...h.platform.requests.values()]).toEqual(Array(8).fill(1));
    expect(h.platform.batches.every((batch) => batch.length <= 3)).toBe(true);
    expect(h.platform.batches.every((batch) => new Set(batch.map((name) => name.slice(0, 4))).size === 1)).toBe(true);
    expect([...h.platform.requests.keys()].some((name) => name.startsWith('ORG_'))).toBe(false);
  });

  it('records a name the platform already has as a duplicate with its id, and sends a name the cache knows only when forced', async () => {
    const h = await harness();
    const onPlatform = await h.image('00000001');
    const existing = h.platform.seed(onPlatform.name, 'static-banner');
    const cached = await h.image('00000002');
    h.library.set(cached.name, {
      creativeId: '1031000002',
      dimensions: '64x48',
      fileType: '.png',
      reviewStatus: 'approved',
      creativeType: 'Static Banner',
      uploadDate: '2025-11-13',
    });
    await h.service.run(h.platform);
    expect((await h.record(onPlatform.key))?.outputs?.[0]?.uploads?.tj).toMatchObject({
      status: 'duplicate',
      creativeId: existing,
    });
    expect((await h.record(cached.key))?.outputs?.[0]?.uploads?.tj).toMatchObject({
      status: 'duplicate',
      creativeId: '1031000002',
    });
    expect(h.platform.requests.get(cached.name)).toBeUndefined();

    const forced = await h.image('00000003');
    h.library.set(forced.name, {
      creativeId: '1031000003',
      dimensions: '64x48',
      fileType: '.png',
      reviewStatus: 'approved',
      creativeType: 'Static Banner',
      uploadDate: '2025-11-13',
    });
    await h.service.run(h.platform, { force: true });
    expect(h.platform.requests.get(forced.name)).toBe(1);
    expect(idOf(await h.record(forced.key), 'creative')).toBe(h.platform.cards.get(forced.name)?.creativeId);
  });

  it("rejects a creative TJ refuses, with TJ's message, and uploads the rest of the batch", async () => {
    const h = await harness();
    const pair = await h.nativePair('00000010');
    const other = await h.image('00000011');
    h.platform.script.set(pair.image, ['reject']);
    const summary = await h.service.run(h.platform);
    expect(summary).toMatchObject({ rejected: 1, uploaded: 2 });
    const record = await h.record(pair.key);
    expect(record).toMatchObject({
      state: 'rejected',
      reason: expect.stringMatching(/^TJ refused IMG_.*content guidelines/),
    });
    expect((await h.record(other.key))?.state).toBe('uploaded');
    expect(h.platform.requests.get(pair.image)).toBe(1);
  });

  it('looks a failed file up before sending it again: one the platform kept after a dropped connection is not sent twice', async () => {
    const h = await harness();
    const dropped = await h.image('00000020');
    const failedOnce = await h.image('00000021');
    h.platform.script.set(dropped.name, ['drop']);
    h.platform.script.set(failedOnce.name, ['fail']);
    await h.service.run(h.platform);
    expect(h.platform.requests.get(dropped.name)).toBe(1);
    expect(h.platform.requests.get(failedOnce.name)).toBe(2);
    for (const image of [dropped, failedOnce]) {
      expect((await h.record(image.key))?.state).toBe('uploaded');
      expect(idOf(await h.record(image.key), 'creative')).toBe(h.platform.cards.get(image.name)?.creativeId);
    }
  });

  it('leaves a file staged and reports it failed when every retry fails, for the next pass', async () => {
    const h = await harness();
    const image = await h.image('00000030');
    h.platform.script.set(image.name, ['fail', 'fail', 'fail']);
    const summary = await h.service.run(h.platform);
    expect(summary).toMatchObject({ uploaded: 0, pending: 1 });
    expect(summary.outcomes).toEqual([
      expect.objectContaining({ status: 'failed', message: 'Server responded with 500 code.' }),
    ]);
    expect(h.platform.requests.get(image.name)).toBe(3);
    expect((await h.record(image.key))?.state).toBe('staged');
  });

  it('resumes a batch a crash left in flight: a name the platform has takes its id, the rest is sent once', async () => {
    const first = await harness();
    const kept = await first.image('00000040');
    const lost = await first.image('00000041');
    // The crash: both were recorded in flight, the platform kept one, the process died.
    first.platform.script.set(kept.name, ['login']);
    await first.service.run(first.platform);
    expect((await first.record(kept.key))?.outputs?.[0]?.uploads?.tj?.status).toBe('in_flight');
    expect((await first.record(lost.key))?.outputs?.[0]?.uploads?.tj?.status).toBe('in_flight');
    await first.creatives.close();

    const reopened = await harness(first.root);
    reopened.platform.seed(kept.name, 'static-banner');
    const existing = reopened.platform.cards.get(kept.name)?.creativeId;
    await reopened.service.run(reopened.platform);
    expect(reopened.platform.requests.get(kept.name)).toBeUndefined();
    expect(reopened.platform.requests.get(lost.name)).toBe(1);
    expect(idOf(await reopened.record(kept.key), 'creative')).toBe(existing);
    expect((await reopened.record(lost.key))?.state).toBe('uploaded');
  });

  it('sends a file again only once a read to the end of its listing shows it absent: a short look-up proves nothing, and one that cannot reach the end holds the file back', async () => {
    const h = await harness();
    const kept = await h.image('00000070');
    const lost = await h.image('00000071');
    h.platform.script.set(kept.name, ['drop']);
    h.platform.script.set(lost.name, ['fail']);
    // A listing longer than the look-up's 3 pages, shorter than a read to its end.
    h.platform.listingPages = 40;
    await h.service.run(h.platform);
    expect(h.platform.lookUps).toEqual([3, 500]);
    expect(h.platform.requests.get(kept.name)).toBe(1);
    expect(h.platform.requests.get(lost.name)).toBe(2);
    expect(idOf(await h.record(kept.key), 'creative')).toBe(h.platform.cards.get(kept.name)?.creativeId);
    expect(h.service.ledger.counts.get(lost.name)).toBe(2);
    expect(h.service.ledger.resends).toBe(1);

    // Longer than any read: the file that failed is not sent again this pass, and waits, in flight, for the next.
    const stuck = await h.image('00000072');
    h.platform.script.set(stuck.name, ['fail']);
    h.platform.listingPages = 1_000;
    const summary = await h.service.run(h.platform);
    expect(h.platform.requests.get(stuck.name)).toBe(1);
    expect(summary.pending).toBe(1);
    expect((await h.record(stuck.key))?.outputs?.[0]?.uploads?.tj?.status).toBe('in_flight');
  });

  it('stops at a dead session and says a login is needed; nothing is lost', async () => {
    const h = await harness();
    const images = await Promise.all(['00000050', '00000051'].map((id) => h.image(id)));
    h.platform.script.set(images[0]?.name ?? '', ['login']);
    const summary = await h.service.run(h.platform);
    expect(summary.loginRequired).toBe(true);
    for (const image of images) expect((await h.record(image.key))?.state).toBe('staged');
  });

  it('ends a file that keeps failing for reasons not its own as failed after the set passes, and tries it again when asked', async () => {
    const h = await harness();
    const image = await h.image('00000060');
    h.platform.script.set(image.name, Array(9).fill('fail'));
    for (const pass of [1, 2, 3]) {
      await h.service.run(h.platform);
      expect((await h.record(image.key))?.state, `after pass ${pass}`).toBe(pass < 3 ? 'staged' : 'failed');
    }
    const failed = await h.record(image.key);
    expect(failed?.reason).toMatch(
      /failed in 3 passes, for reasons not the file's; last: Server responded with 500 code\..*--retry-failed/,
    );
    expect(failed?.outputs?.[0]?.uploads?.tj).toMatchObject({ status: 'failed', failedPasses: 3 });
    expect(h.platform.requests.get(image.name)).toBe(9);
    // It still stands for its content (a re-drop is a duplicate), and it is not an inbox file.
    expect(h.creatives.index.byHash(failed?.hash ?? '')?.key).toBe(image.key);
    expect(h.creatives.index.keyOfSource(failed?.source.path ?? '')).toBeUndefined();
    expect(await h.service.hasWork()).toBe(false);
    await h.service.run(h.platform);
    expect(h.platform.requests.get(image.name)).toBe(9);

    expect(await h.service.retryFailed()).toBe(1);
    await h.service.run(h.platform);
    expect((await h.record(image.key))?.state).toBe('uploaded');
    expect(h.platform.requests.get(image.name)).toBe(10);
  });
});

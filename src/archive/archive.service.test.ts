import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActivityBus } from '../core/events.js';
import { Layout, rootPath } from '../core/layout.js';
import type { CreativeRecord, OutputFile } from '../core/record.js';
import { createLogger } from '../core/logger.js';
import { RunStateRepository } from '../store/run-state.repository.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { listTree, sha256, tempRoot } from '../test/fixtures.js';
import { ArchiveService } from './archive.service.js';

const storage = new StorageRepository();
const log = createLogger({ level: 'silent', pretty: false });

async function uploadedPair(root: string, creatives: CreativeRepository, id: string): Promise<CreativeRecord> {
  const layout = new Layout(root);
  const files: [OutputFile['role'], string][] = [
    ['video', `Native/Video/VID_x_4sec_ID-${id}-VID.mp4`],
    ['image', `Native/Image/IMG_x_ID-${id}-IMG.png`],
    ['original', `Native/ORG_x_6sec_ID-${id}.mp4`],
  ];
  const outputs: OutputFile[] = [];
  for (const [role, relative] of files) {
    const file = path.join(layout.uploaded, relative);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `${role} of ${id}`);
    outputs.push({
      role,
      path: layout.rel(file),
      bytes: 10,
      width: 640,
      height: 360,
      format: 'mp4',
      converted: role !== 'original',
    });
  }
  return creatives.create({
    state: 'uploaded',
    source: { path: rootPath(`inbox/${id}.mp4`), size: 10, mtimeMs: 1 },
    outputs,
    attempts: 0,
    times: {},
  });
}

describe('ArchiveService', () => {
  it('moves a run of uploaded creatives into one new batch folder, numbers never reused', async () => {
    const root = await tempRoot();
    const layout = new Layout(root);
    const creatives = await CreativeRepository.open(layout.db, storage);
    const archive = new ArchiveService({
      creatives,
      runState: await RunStateRepository.open(layout.db, storage),
      storage,
      layout,
      events: new ActivityBus(),
      log,
    });
    await uploadedPair(root, creatives, 'AAAAAAAA');
    await uploadedPair(root, creatives, 'BBBBBBBB');
    await archive.run();
    expect(creatives.index.countsByState().get('archived')).toBe(2);
    await uploadedPair(root, creatives, 'CCCCCCCC');
    await archive.run();
    expect(creatives.index.countsByState().get('archived')).toBe(3);
    expect(archive.openBatches().map((batch) => [batch.batch, batch.keys.length])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    const batches = (await fs.readdir(layout.archive)).sort();
    expect(batches).toEqual([
      expect.stringMatching(/^batch_001-\d{4}-\d{2}-\d{2}$/),
      expect.stringMatching(/^batch_002-\d{4}-\d{2}-\d{2}$/),
    ]);
    expect(await listTree(path.join(layout.archive, batches[0] ?? ''))).toHaveLength(6);
    expect(await listTree(layout.uploaded)).toEqual([]);
  });

  it('archives more uploaded creatives than the segments it keeps in memory', async () => {
    const root = await tempRoot();
    const layout = new Layout(root);
    // Two records a segment: 40 creatives span 20 segments, more than stay in memory at once.
    const creatives = await CreativeRepository.open(layout.db, storage, { segmentSize: 2 });
    for (let n = 0; n < 40; n += 1) await uploadedPair(root, creatives, n.toString(16).toUpperCase().padStart(8, '0'));
    await creatives.close();
    const reopened = await CreativeRepository.open(layout.db, storage, { segmentSize: 2 });
    const archive = new ArchiveService({
      creatives: reopened,
      runState: await RunStateRepository.open(layout.db, storage),
      storage,
      layout,
      events: new ActivityBus(),
      log,
    });
    await archive.run();
    expect(
      (
        await archive.completed(
          archive.openBatches()[0] ?? {
            batch: 0,
            dir: rootPath(''),
            stamp: '',
            keys: [],
            csvs: 'pending',
            files: [],
            missing: [],
          },
        )
      )?.records,
    ).toHaveLength(40);
    expect(await listTree(layout.uploaded)).toEqual([]);
    expect(reopened.index.countsByState().get('archived')).toBe(40);
  });

  it('after a crash mid-move, leaves exactly one good copy of every file', async () => {
    const root = await tempRoot();
    const layout = new Layout(root);
    const creatives = await CreativeRepository.open(layout.db, storage);
    const runState = await RunStateRepository.open(layout.db, storage);
    const record = await uploadedPair(root, creatives, 'DDDDDDDD');
    const contents = new Map(
      await Promise.all(
        (record.outputs ?? []).map(
          async (output) => [path.basename(output.path), await sha256(path.join(root, output.path))] as const,
        ),
      ),
    );

    // The crash: the batch was planned and recorded; the video was moved; the thumbnail was copied
    // across devices but its source not yet unlinked; the original was not touched.
    const dir = layout.rel(path.join(layout.archive, 'batch_007-2026-11-21'));
    await creatives.commit({ ...record, archive: { batch: 7, dir } });
    const [video, image] = record.outputs ?? [];
    const target = (output: OutputFile | undefined): string =>
      path.join(root, dir, path.relative('uploaded', output?.path ?? ''));
    await fs.mkdir(path.dirname(target(video)), { recursive: true });
    await fs.rename(path.join(root, video?.path ?? ''), target(video));
    await fs.mkdir(path.dirname(target(image)), { recursive: true });
    await fs.copyFile(path.join(root, image?.path ?? ''), target(image));
    await creatives.close();

    const reopened = await CreativeRepository.open(layout.db, storage);
    await new ArchiveService({ creatives: reopened, runState, storage, layout, events: new ActivityBus(), log }).run();
    expect(await listTree(layout.uploaded)).toEqual([]);
    const archived = await listTree(path.join(root, dir));
    expect(archived).toHaveLength(3);
    for (const file of archived)
      expect(await sha256(path.join(root, dir, file))).toBe(contents.get(path.basename(file)));
    const final = await reopened.load(record.key);
    expect(final?.state).toBe('archived');
    expect(final?.outputs?.every((output) => output.path.startsWith(`${dir}/`))).toBe(true);
    // The crash's batch was finished, not replaced by a new one.
    expect(await fs.readdir(layout.archive)).toEqual(['batch_007-2026-11-21']);
  });

  it('at start, removes the temporary files of moves under way, and walks no other archive folder', async () => {
    const root = await tempRoot();
    const layout = new Layout(root);
    const creatives = await CreativeRepository.open(layout.db, storage);
    const record = await uploadedPair(root, creatives, 'EEEEEEEE');
    const dir = layout.rel(path.join(layout.archive, 'batch_008-2026-12-01'));
    await creatives.commit({ ...record, archive: { batch: 8, dir } });
    // A copy across devices cut short, in the folder the move was under way to; and one in a folder of last year.
    const underWay = path.join(root, dir, 'Native', 'Video', '.cf-tmp-0a0b0c0d-VID_x.mp4');
    const lastYear = path.join(layout.archive, 'batch_001-2025-12-01', 'Native', 'Video', '.cf-tmp-01020304-VID_y.mp4');
    for (const file of [underWay, lastYear]) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, 'partial');
    }

    await new ArchiveService({
      creatives,
      runState: await RunStateRepository.open(layout.db, storage),
      storage,
      layout,
      events: new ActivityBus(),
      log,
    }).removeStaleTemps();

    expect(await fs.stat(underWay).catch(() => undefined)).toBeUndefined();
    // Nothing moves into an archived batch, so nothing there is looked at: the walk stays with the work under way.
    expect((await fs.stat(lastYear)).isFile()).toBe(true);
  });
});

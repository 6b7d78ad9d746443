import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CreativeRecord } from '../core/record.js';
import { tempRoot } from '../test/fixtures.js';
import { CreativeRepository } from './creative.repository.js';
import { StorageRepository } from './storage.repository.js';

const storage = new StorageRepository();

function discovered(n: number): Omit<CreativeRecord, 'key'> {
  return { state: 'discovered', source: { path: `inbox/file-${n}.mp4`, size: n + 1, mtimeMs: 1 }, attempts: 0, times: {} };
}

describe('CreativeRepository', () => {
  it('keeps records across a reopen, with every index rebuilt', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage);
    const created = repository.create(discovered(1));
    await repository.commit({
      ...created,
      state: 'named',
      hash: 'a'.repeat(64),
      naming: { id: 'AAAAAAAA', tokens: { language: 'EN', category: 'C', modelSex: 'F', style: 'Real', rating: 'NSFW', description: 'D', creator: 'X' }, review: [] },
      outputs: [{ role: 'video', path: 'uploaded/Native/Video/VID_x_ID-AAAAAAAA-VID.mp4', bytes: 1, width: 640, height: 360, format: 'mp4', converted: true }],
    });
    await repository.close();

    const reopened = await CreativeRepository.open(dir, storage);
    expect(reopened.get(created.key)?.state).toBe('named');
    expect(reopened.index.byHash('a'.repeat(64))?.key).toBe(created.key);
    expect(reopened.index.hashOfId('AAAAAAAA')).toBe('a'.repeat(64));
    expect(reopened.index.bySource('inbox/file-1.mp4')?.key).toBe(created.key);
    expect(reopened.index.byName('VID_x_ID-AAAAAAAA-VID')?.key).toBe(created.key);
    expect(reopened.create(discovered(2)).key).toBe('c1');
  });

  it('rewrites only the segment a change falls in', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    const records = Array.from({ length: 35 }, (_, n) => repository.create(discovered(n)));
    await repository.flush();
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.json')).sort()).toEqual([
      'creatives-0000.json',
      'creatives-0001.json',
      'creatives-0002.json',
      'creatives-0003.json',
    ]);
    const before = await Promise.all([0, 1, 2, 3].map((n) => fs.stat(path.join(dir, `creatives-000${n}.json`))));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const target = records[15];
    if (!target) throw new Error('missing record');
    await repository.commit({ ...target, state: 'failed', reason: 'x' });
    const after = await Promise.all([0, 1, 2, 3].map((n) => fs.stat(path.join(dir, `creatives-000${n}.json`))));
    expect(after.map((stat, n) => stat.mtimeMs !== before[n]?.mtimeMs)).toEqual([false, true, false, false]);
  });

  it('shares one write between concurrent commits and loses none of them', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage);
    const records = Array.from({ length: 200 }, (_, n) => repository.create(discovered(n)));
    await Promise.all(records.map((record) => repository.commit({ ...record, state: 'probed', hash: record.key.padEnd(64, '0') })));
    await repository.close();
    const reopened = await CreativeRepository.open(dir, storage);
    expect([...reopened.index.values()].filter((record) => record.state === 'probed')).toHaveLength(200);
    expect(reopened.index.countsByState().get('probed')).toBe(200);
  });

  it('reports a damaged file by name instead of starting empty', async () => {
    const dir = path.join(await tempRoot(), 'db');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'creatives-0000.json'), '{"records": {');
    await expect(CreativeRepository.open(dir, storage)).rejects.toThrow(/creatives-0000\.json is not valid JSON/);
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootPath } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { tempRoot } from '../test/fixtures.js';
import { InvalidTransitionError } from '../core/state.js';
import { CreativeRepository } from './creative.repository.js';
import { DatabaseFileError } from './durable-json-file.js';
import { parseSegment } from './segment-file.js';
import { SUMMARY_FORMAT } from './segment-summary.js';
import { StorageRepository } from './storage.repository.js';

const storage = new StorageRepository();

function discovered(n: number): Omit<CreativeRecord, 'key'> {
  return {
    state: 'discovered',
    source: { path: rootPath(`inbox/file-${n}.mp4`), size: n + 1, mtimeMs: 1 },
    attempts: 0,
    times: {},
  };
}

describe('CreativeRepository', () => {
  it('keeps records across a reopen, with every index rebuilt', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage);
    const created = repository.create(discovered(1));
    repository.put({ ...created, state: 'probed' });
    await repository.commit({
      ...created,
      state: 'named',
      hash: 'a'.repeat(64),
      naming: {
        id: 'AAAAAAAA',
        tokens: {
          language: 'EN',
          category: 'C',
          modelSex: 'F',
          style: 'Real',
          rating: 'NSFW',
          description: 'D',
          creator: 'X',
        },
        review: [],
      },
      outputs: [
        {
          role: 'video',
          path: rootPath('uploaded/Native/Video/VID_x_ID-AAAAAAAA-VID.mp4'),
          bytes: 1,
          width: 640,
          height: 360,
          format: 'mp4',
          converted: true,
        },
      ],
    });
    await repository.close();

    const reopened = await CreativeRepository.open(dir, storage);
    expect(reopened.get(created.key)?.state).toBe('named');
    expect(reopened.index.byHash('a'.repeat(64))?.key).toBe(created.key);
    expect(reopened.index.hashOfId('AAAAAAAA')).toBe('a'.repeat(64));
    expect(reopened.index.keyOfSource('inbox/file-1.mp4')).toBe(created.key);
    expect(reopened.index.byName('VID_x_ID-AAAAAAAA-VID')?.key).toBe(created.key);
    expect(reopened.index.byName('VID_x_ID-AAAAAAAA-VID.mp4')?.key).toBe(created.key);
    expect(reopened.create(discovered(2)).key).toBe('c1');
  });

  it('writes only the segment a change falls in', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    const records = Array.from({ length: 35 }, (_, n) => repository.create(discovered(n)));
    // Closed, so that the summaries, which follow their segments, are written too.
    await repository.close();
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.json')).sort()).toEqual(
      [0, 1, 2, 3].flatMap((n) => [`creatives-000${n}.json`, `creatives-000${n}.summary.json`]),
    );
    // Every segment dated an hour back: one written again shows a new time, however coarse the filesystem's clock.
    const segments = [0, 1, 2, 3].map((n) => path.join(dir, `creatives-000${n}.json`));
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await Promise.all(segments.map((file) => fs.utimes(file, anHourAgo, anHourAgo)));
    const before = await Promise.all(segments.map((file) => fs.stat(file)));
    const target = records[15];
    if (!target) throw new Error('missing record');
    await repository.commit({ ...target, state: 'failed', reason: 'x' });
    const after = await Promise.all(segments.map((file) => fs.stat(file)));
    expect(after.map((stat, n) => stat.mtimeMs !== before[n]?.mtimeMs)).toEqual([false, true, false, false]);
  });

  it('starts from the summaries, reading whole segments only when asked, and trusts no stale summary', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    const records = Array.from({ length: 30 }, (_, n) => repository.create({ ...discovered(n), state: 'staged' }));
    for (const record of records) repository.put({ ...record, hash: record.key.padEnd(64, 'f') });
    const c5 = repository.get('c5');
    if (c5)
      repository.put({
        ...c5,
        outputs: [
          {
            role: 'creative',
            path: rootPath('uploaded/Image/x_ID-00000005.png'),
            bytes: 1,
            width: 1,
            height: 1,
            format: 'png',
            converted: false,
          },
        ],
      });
    await repository.close();

    const reopened = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    expect(reopened.index.countsByState().get('staged')).toBe(30);
    expect(reopened.index.keysInState('staged')).toHaveLength(30);
    expect(reopened.index.entry('c3')?.inUploaded).toBe(false);
    expect(reopened.index.entry('c5')?.inUploaded).toBe(true);
    expect(reopened.index.byHash('c3'.padEnd(64, 'f'))?.key).toBe('c3');
    expect(() => reopened.get('c3')).toThrow(/not in memory/);
    expect((await reopened.load('c3'))?.source.path).toBe('inbox/file-3.mp4');
    expect(reopened.get('c3')?.state).toBe('staged');

    // A crash between a segment's write and its summary's: the summary is older, so the segment is read.
    const segmentFile = path.join(dir, 'creatives-0001.json');
    const segment = JSON.parse(await fs.readFile(segmentFile, 'utf8')) as {
      version: number;
      records: Record<string, CreativeRecord>;
    };
    const changed = segment.records.c12;
    if (!changed) throw new Error('missing record');
    segment.records.c12 = { ...changed, state: 'rejected', reason: 'changed after the summary' };
    segment.version += 1;
    await fs.writeFile(segmentFile, JSON.stringify(segment));
    const afterCrash = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    expect(afterCrash.index.entry('c12')?.state).toBe('rejected');
    expect(afterCrash.index.countsByState().get('staged')).toBe(29);
  });

  it('shares one write between concurrent commits and loses none of them', async () => {
    const dir = path.join(await tempRoot(), 'db');
    // Counts the writes to segment files, whole or appended: 200 commits at once must not mean 200 writes.
    let segmentWrites = 0;
    const counting = new (class extends StorageRepository {
      override async writeFileAtomic(...args: Parameters<StorageRepository['writeFileAtomic']>): Promise<void> {
        if (/creatives-\d+\.json$/.test(args[0])) segmentWrites += 1;
        return super.writeFileAtomic(...args);
      }
      override async appendDurable(file: string, text: string): Promise<void> {
        if (/creatives-\d+\.json$/.test(file)) segmentWrites += 1;
        return super.appendDurable(file, text);
      }
    })();
    const repository = await CreativeRepository.open(dir, counting);
    const records = Array.from({ length: 200 }, (_, n) => repository.create(discovered(n)));
    await repository.flush();
    segmentWrites = 0;
    await Promise.all(
      records.map((record) => repository.commit({ ...record, state: 'probed', hash: record.key.padEnd(64, '0') })),
    );
    // 200 records in two segments of 128: one write each, at most one more each for a commit that came after the first had started.
    expect(segmentWrites).toBeGreaterThanOrEqual(2);
    expect(segmentWrites).toBeLessThanOrEqual(4);
    await repository.close();
    const reopened = await CreativeRepository.open(dir, storage);
    const states: string[] = [];
    await reopened.forEachSegment((records) => void states.push(...records.map((record) => record.state)));
    expect(states.filter((state) => state === 'probed')).toHaveLength(200);
    expect(reopened.index.countsByState().get('probed')).toBe(200);
  });

  it('reports a damaged file by name instead of starting empty', async () => {
    const dir = path.join(await tempRoot(), 'db');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'creatives-0000.json'), '{"records": {');
    await expect(CreativeRepository.open(dir, storage)).rejects.toThrow(/creatives-0000\.json is not valid JSON/);
  });

  it('says the database cannot be read, instead of starting an empty one over a library', async () => {
    const root = await tempRoot();
    const file = path.join(root, 'db');
    await fs.writeFile(file, 'not a folder');
    await expect(CreativeRepository.open(file, storage, { readOnly: true })).rejects.toThrow(
      /The database at .*db cannot be read \(ENOTDIR\)/,
    );
    await expect(CreativeRepository.open(file, storage)).rejects.toThrow(DatabaseFileError);

    /** A folder this user may not read: root ignores modes, so the refusal comes on cue. */
    class Unreadable extends StorageRepository {
      override async list(dir: string): Promise<string[]> {
        throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), { code: 'EACCES' });
      }
    }
    await expect(
      CreativeRepository.open(path.join(root, 'other'), new Unreadable(), { readOnly: true }),
    ).rejects.toThrow(/cannot be read \(EACCES\)/);
  });

  it('lets a record change state only as the state table allows, whoever asks', async () => {
    const repository = await CreativeRepository.open(path.join(await tempRoot(), 'db'), storage);
    const created = repository.create(discovered(7));
    // An archive pass that met a creative never uploaded: refused, and the record is left as it was.
    expect(() => repository.put({ ...created, state: 'archived' })).toThrow(InvalidTransitionError);
    expect(repository.get(created.key)?.state).toBe('discovered');
    repository.put({ ...created, state: 'probed' });
    expect(repository.get(created.key)?.state).toBe('probed');
    await repository.close();
  });

  it('saves the records a write held, not changes made while it was on its way to disk', async () => {
    const dir = path.join(await tempRoot(), 'db');
    let during: (() => void) | undefined;
    // A disk that is slow to take the segment's lines: the pipeline moves on meanwhile.
    const slow = new (class extends StorageRepository {
      override async appendDurable(file: string, text: string): Promise<void> {
        if (/creatives-\d+\.json$/.test(file) && during) {
          const change = during;
          during = undefined;
          await new Promise((resolve) => setTimeout(resolve, 20));
          change();
        }
        return super.appendDurable(file, text);
      }
    })();
    const repository = await CreativeRepository.open(dir, slow, { flushDelayMs: 60_000, segmentSize: 2 });
    // Three records, so that segment 0 is neither the newest nor in progress: a start knows it from its summary.
    const [created] = Array.from({ length: 3 }, (_, n) =>
      repository.create({ ...discovered(n), state: 'rejected', reason: 'not media' }),
    );
    if (!created) throw new Error('missing record');
    await repository.close();
    during = () => repository.put({ ...created, attempts: 1, hash: 'b'.repeat(64) });
    repository.put({ ...created, attempts: 1 });
    await repository.flush();
    // A crash now: the change made during the write never reached the segment, nor its summary.
    const afterCrash = await CreativeRepository.open(dir, storage, { segmentSize: 2, readOnly: true });
    expect(afterCrash.index.entry(created.key)?.hash).toBeUndefined();
    expect(() => afterCrash.get(created.key)).toThrow(/not in memory/);
    const record = await afterCrash.load(created.key);
    expect([record?.attempts, record?.hash]).toEqual([1, undefined]);
  });

  it('visits only the segments changed since a time, and knows which without reading the others', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    for (let n = 0; n < 8; n += 1) {
      // Segments 0 to 2 last changed in the first half of 2025; segment 3 today.
      const at = n < 6 ? `2025-0${n + 1}-01T10:00:00.000Z` : new Date().toISOString();
      repository.create({ ...discovered(n), state: 'staged', times: { discovered: at, staged: at } });
    }
    await repository.close();

    const reopened = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    const visited: string[][] = [];
    await reopened.forEachSegment((records) => void visited.push(records.map((record) => record.key)), {
      touchedSince: '2025-04-15T00:00:00.000Z',
    });
    expect(visited).toEqual([
      ['c4', 'c5'],
      ['c6', 'c7'],
    ]);
    expect(() => reopened.get('c0')).toThrow(/not in memory/);
  });

  it('upgrades the summaries of an older version once, and then starts from them', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    for (let n = 0; n < 6; n += 1)
      repository.create({
        ...discovered(n),
        state: n === 1 ? 'failed' : 'staged',
        ...(n === 1 ? { reason: 'ffmpeg could not read it' } : {}),
      });
    await repository.close();
    // As the previous version wrote them: format 4, rows without the facts a digest counts.
    for (const name of (await fs.readdir(dir)).filter((file) => file.endsWith('.summary.json'))) {
      const summary = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as { rows: unknown[][] };
      await fs.writeFile(
        path.join(dir, name),
        JSON.stringify({ ...summary, format: 4, rows: summary.rows.map((row) => row.slice(0, 5)) }),
      );
    }

    const upgraded = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    expect(upgraded.segmentDigests().map(({ digest }) => digest.problems)).toEqual([1, 0, 0]);
    const summary = JSON.parse(await fs.readFile(path.join(dir, 'creatives-0001.summary.json'), 'utf8')) as {
      format: number;
      rows: unknown[][];
    };
    expect(summary.format).toBe(SUMMARY_FORMAT);
    expect(summary.rows[0]).toHaveLength(6);
    const after = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    // Segment 0 holds a failed file still in inbox/, so it stays in memory; segment 1 was read from its summary alone.
    expect(() => after.get('c2')).toThrow(/not in memory/);
    expect(after.segmentDigests().map(({ digest }) => digest.problems)).toEqual([1, 0, 0]);
  });

  it('never takes a summary of another whole write with the same version number for its segment', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    // Rejected: nothing in progress, so a segment is known from its summary alone.
    for (let n = 0; n < 4; n += 1) repository.create({ ...discovered(n), state: 'rejected', reason: 'not media' });
    await repository.close();
    const segmentFile = path.join(dir, 'creatives-0000.json');
    const summaryFile = path.join(dir, 'creatives-0000.summary.json');
    // Laid out over several lines, as a person restoring a backup might leave it: each write below is whole.
    const { data } = parseSegment(await fs.readFile(segmentFile), segmentFile);
    const before = JSON.stringify(data, null, 2);
    await fs.writeFile(segmentFile, before);

    // Write A: c0 changed. A crash then leaves A's summary, and the segment as it was before A.
    const a = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    const c0 = await a.load('c0');
    if (!c0) throw new Error('missing record');
    await a.commit({ ...c0, hash: 'a'.repeat(64) });
    await a.close();
    const summaryOfA = await fs.readFile(summaryFile);
    await fs.writeFile(segmentFile, before);

    // Write B, with the same version number as A: c1 changed. Its summary is lost; A's comes back.
    const b = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    expect((await b.load('c0'))?.hash).toBeUndefined();
    const c1 = await b.load('c1');
    if (!c1) throw new Error('missing record');
    await b.commit({ ...c1, hash: 'b'.repeat(64) });
    await b.close();
    await fs.writeFile(summaryFile, summaryOfA);

    const after = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    expect([after.index.entry('c0')?.hash, after.index.entry('c1')?.hash]).toEqual([undefined, 'b'.repeat(64)]);
  });

  it('saves a change as a line appended to its segment, and writes the segment whole once its lines outgrow it', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const writes = { whole: 0, appended: 0 };
    const counting = new (class extends StorageRepository {
      override async writeFileAtomic(...args: Parameters<StorageRepository['writeFileAtomic']>): Promise<void> {
        if (/creatives-0000\.json$/.test(args[0])) writes.whole += 1;
        return super.writeFileAtomic(...args);
      }
      override async appendDurable(file: string, text: string): Promise<void> {
        if (/creatives-0000\.json$/.test(file)) writes.appended += 1;
        return super.appendDurable(file, text);
      }
    })();
    const repository = await CreativeRepository.open(dir, counting, { segmentSize: 10 });
    // Two segments: the first, full, is not kept in memory for new records.
    for (let n = 0; n < 12; n += 1) repository.create({ ...discovered(n), state: 'rejected', reason: 'not media' });
    await repository.flush();
    expect(writes).toEqual({ whole: 1, appended: 0 });
    const segmentFile = path.join(dir, 'creatives-0000.json');
    const wholeSize = (await fs.stat(segmentFile)).size;

    const c3 = repository.get('c3');
    if (!c3) throw new Error('missing record');
    await repository.commit({ ...c3, notes: ['first'], hash: 'd'.repeat(64) });
    expect(writes).toEqual({ whole: 1, appended: 1 });
    // A line this small leaves the summary as it was: a start reads the line after it.
    const summary = JSON.parse(await fs.readFile(path.join(dir, 'creatives-0000.summary.json'), 'utf8')) as {
      bytes: number;
    };
    expect(summary.bytes).toBe(wholeSize);
    const lines = (await fs.readFile(segmentFile, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect((JSON.parse(lines[1] ?? '') as CreativeRecord).notes).toEqual(['first']);

    // Read back both ways: from the summary (of the file with its line), and from the segment itself.
    const reopened = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    expect(reopened.index.entry('c3')?.hash).toBe('d'.repeat(64));
    expect(() => reopened.get('c3')).toThrow(/not in memory/);
    expect((await reopened.load('c3'))?.notes).toEqual(['first']);
    expect(reopened.savedVersion(0)).toBe(
      (await CreativeRepository.open(dir, storage, { segmentSize: 10, readOnly: true })).savedVersion(0),
    );

    // Lines of 40 KB each: the file stays below its whole size plus the floor, and is written whole past it.
    for (let n = 0; n < 4; n += 1) {
      const record = repository.get('c3');
      if (!record) throw new Error('missing record');
      await repository.commit({ ...record, notes: [String(n).repeat(40_000)] });
      expect((await fs.stat(segmentFile)).size).toBeLessThanOrEqual(wholeSize + 64 * 1024 + 45_000);
    }
    expect(writes.whole).toBeGreaterThanOrEqual(2);
    expect(writes.appended).toBeGreaterThanOrEqual(2);
    await repository.close();
    const last = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    expect((await last.load('c3'))?.notes).toEqual(['3'.repeat(40_000)]);
    expect((await last.load('c4'))?.reason).toBe('not media');
  });

  it('counts a change from its appended line at start-up, without reading its segment', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    for (let n = 0; n < 12; n += 1)
      repository.create({
        ...discovered(n),
        state: 'rejected',
        reason: 'not media',
        times: { rejected: '2025-01-01T00:00:00.000Z' },
      });
    await repository.close();
    const changer = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    const c3 = await changer.load('c3');
    if (!c3) throw new Error('missing record');
    await changer.commit({ ...c3, knownFake: true, times: { ...c3.times, discovered: '2026-06-01T00:00:00.000Z' } });
    await changer.close();

    const reopened = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    const [first] = reopened.segmentDigests();
    expect(() => reopened.get('c3')).toThrow(/not in memory/);
    expect([first?.digest.knownFakes, first?.digest.problems, first?.digest.latestAt]).toEqual([
      1,
      10,
      '2026-06-01T00:00:00.000Z',
    ]);
  });

  it('drops a line cut short by a crash, writes no summary of it, and writes the segment whole next', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    for (let n = 0; n < 12; n += 1) repository.create({ ...discovered(n), state: 'rejected', reason: 'not media' });
    await repository.close();
    const segmentFile = path.join(dir, 'creatives-0000.json');
    const summaryFile = path.join(dir, 'creatives-0000.summary.json');
    const summaryBefore = await fs.readFile(summaryFile, 'utf8');

    // The power goes while the line is on its way: half of it reaches the disk, and the write never returns.
    const cut = new (class extends StorageRepository {
      override async appendDurable(file: string, text: string): Promise<void> {
        await super.appendDurable(file, text.slice(0, text.length >> 1));
        throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      }
    })();
    const crashing = await CreativeRepository.open(dir, cut, { segmentSize: 10 });
    const c2 = await crashing.load('c2');
    if (!c2) throw new Error('missing record');
    await expect(crashing.commit({ ...c2, hash: 'c'.repeat(64) })).rejects.toThrow(/EIO/);
    expect(await fs.readFile(summaryFile, 'utf8')).toBe(summaryBefore);

    const afterCrash = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    expect(afterCrash.index.entry('c2')?.hash).toBeUndefined();
    const record = await afterCrash.load('c5');
    if (!record) throw new Error('missing record');
    await afterCrash.commit({ ...record, notes: ['after the crash'] });
    // Written whole: the half line is gone, not followed by new lines that a reader could not tell from it.
    const text = await fs.readFile(segmentFile, 'utf8');
    expect(text.split('\n')).toHaveLength(2);
    const reread = parseSegment(Buffer.from(text), segmentFile).data.records;
    expect([reread.c2?.hash, reread.c5?.notes]).toEqual([undefined, ['after the crash']]);
  });

  it('takes lines on a segment file of the older form, one JSON document with no line break after it', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    for (let n = 0; n < 3; n += 1) repository.create({ ...discovered(n), state: 'rejected', reason: 'not media' });
    await repository.close();
    const segmentFile = path.join(dir, 'creatives-0000.json');
    await fs.writeFile(segmentFile, (await fs.readFile(segmentFile, 'utf8')).trimEnd());

    const older = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    const c1 = older.get('c1');
    if (!c1) throw new Error('missing record');
    await older.commit({ ...c1, notes: ['appended'] });
    expect((await fs.readFile(segmentFile, 'utf8')).split('\n')).toHaveLength(3);
    const reopened = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    expect(reopened.get('c1')?.notes).toEqual(['appended']);
    expect(reopened.get('c2')?.reason).toBe('not media');
  });

  it('says which segment file is damaged when a line inside it does not parse', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    const record = repository.create({ ...discovered(0), state: 'rejected', reason: 'not media' });
    await repository.close();
    const segmentFile = path.join(dir, 'creatives-0000.json');
    // A damaged line with a whole one after it: not a line a crash cut short, which could only be the last.
    await fs.appendFile(segmentFile, `{"key": "c0", \n${JSON.stringify(record)}\n`);
    await expect(CreativeRepository.open(dir, storage, { segmentSize: 10 })).rejects.toThrow(
      /creatives-0000\.json is not valid JSON/,
    );
    await fs.writeFile(
      segmentFile,
      `${JSON.stringify({ version: 1, records: {} })}\n{"key":"c0"}\n${JSON.stringify(record)}\n`,
    );
    await expect(CreativeRepository.open(dir, storage, { segmentSize: 10 })).rejects.toThrow(
      /creatives-0000\.json is not valid JSON/,
    );
  });

  it('saves every change of a flush that failed in part, with the next ones, even when a write under way outlives the failure', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository0 = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    for (let n = 0; n < 5; n += 1) repository0.create({ ...discovered(n), state: 'rejected', reason: 'not media' });
    await repository0.close();
    // Segment 1's line fails at once, halfway written; segment 0's is slow, and its next whole write fails.
    const armed = { failLine: true, slowLine: true, failWhole: true };
    const failing = new (class extends StorageRepository {
      override async appendDurable(file: string, text: string, options?: { mustExist?: boolean }): Promise<void> {
        if (/creatives-0001\.json$/.test(file) && armed.failLine) {
          armed.failLine = false;
          await super.appendDurable(file, text.slice(0, 40), options);
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        if (/creatives-0000\.json$/.test(file) && armed.slowLine) {
          armed.slowLine = false;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return super.appendDurable(file, text, options);
      }
      override async writeFileAtomic(...args: Parameters<StorageRepository['writeFileAtomic']>): Promise<void> {
        if (/creatives-0000\.json$/.test(args[0]) && armed.failWhole) {
          armed.failWhole = false;
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        return super.writeFileAtomic(...args);
      }
    })();
    const repository = await CreativeRepository.open(dir, failing, { segmentSize: 2 });
    const change = async (n: number, note: string): Promise<void> => {
      const record = await repository.load(`c${n}`);
      if (!record) throw new Error('missing record');
      await repository.commit({ ...record, notes: [...(record.notes ?? []), note] });
    };
    await Promise.all([repository.load('c0'), repository.load('c2')]);
    await expect(Promise.all([change(0, 'a'), change(2, 'b')])).rejects.toThrow(/ENOSPC/);
    // Whether this one's write fails or not, it must reach disk by the end: another record of segment 0.
    await change(1, 'x').catch(() => undefined);
    await change(0, 'y');
    await change(3, 'z');
    await repository.close();

    const reopened = await CreativeRepository.open(dir, storage, { segmentSize: 2, readOnly: true });
    const notes = await Promise.all([0, 1, 2, 3].map(async (n) => (await reopened.load(`c${n}`))?.notes));
    expect(notes).toEqual([['a', 'y'], ['x'], ['b'], ['z']]);
  });

  it('says so when a segment file went while it was in use, and writes it whole again with the next flush', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const repository = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    for (let n = 0; n < 3; n += 1) repository.create({ ...discovered(n), state: 'rejected', reason: 'not media' });
    await repository.flush();
    await fs.rm(path.join(dir, 'creatives-0000.json'));
    const c1 = repository.get('c1');
    if (!c1) throw new Error('missing record');
    // Not a file of lines without the segment before them: an error, and the next flush writes it whole.
    await expect(repository.commit({ ...c1, notes: ['after the file went'] })).rejects.toThrow(/ENOENT/);
    await repository.flush();
    await repository.close();
    const reopened = await CreativeRepository.open(dir, storage, { segmentSize: 10 });
    expect([reopened.get('c0')?.reason, reopened.get('c1')?.notes]).toEqual(['not media', ['after the file went']]);
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootPath } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { tempRoot } from '../test/fixtures.js';
import { parseSegment, SegmentFile } from './segment-file.js';
import { StorageRepository } from './storage.repository.js';

const record = (n: number, note = ''): CreativeRecord => ({
  key: `c${n}`,
  state: 'rejected',
  reason: 'not media',
  source: { path: rootPath(`inbox/f${n}.png`), size: 1, mtimeMs: 1 },
  attempts: 0,
  times: {},
  notes: [note],
});

describe('SegmentFile', () => {
  it('takes no lines after a whole write that failed, even when an append asked before it ends later', async () => {
    const file = path.join(await tempRoot(), 'creatives-0000.json');
    let releaseAppend: () => void = () => undefined;
    let appendStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (appendStarted = resolve));
    const disk = new (class extends StorageRepository {
      failWhole = false;
      override async appendDurable(target: string, text: string, options?: { mustExist?: boolean }): Promise<void> {
        const release = new Promise<void>((resolve) => (releaseAppend = resolve));
        appendStarted();
        await release;
        return super.appendDurable(target, text, options);
      }
      override async writeFileAtomic(...args: Parameters<StorageRepository['writeFileAtomic']>): Promise<void> {
        if (this.failWhole)
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return super.writeFileAtomic(...args);
      }
    })();
    const segment = new SegmentFile(file, disk);
    await segment.write({ version: 1, records: { c0: record(0) } });
    const lines = segment.linesFor([record(0, 'appended')]);
    if (!lines) throw new Error('a fresh file takes lines');
    const appended = segment.append(lines);
    disk.failWhole = true;
    const whole = segment.write({ version: 2, records: { c0: record(0, 'whole') } });
    await started;
    releaseAppend();
    await appended;
    await expect(whole).rejects.toThrow(/ENOSPC/);
    // What the failed write left is not known: the next write must be whole, not a line after it.
    expect(segment.linesFor([record(0, 'next')])).toBeUndefined();
  });

  it('reads the lines after the segment, drops a last one cut short or garbled by a power cut, and takes no more lines then', async () => {
    const file = path.join(await tempRoot(), 'creatives-0000.json');
    const head = JSON.stringify({ version: 3, records: { c0: record(0), c1: record(1) } });
    const line = JSON.stringify(record(1, 'changed'));
    for (const tail of [`${line.slice(0, 30)}`, `${'\u0000'.repeat(20)}\n`]) {
      await fs.writeFile(file, `${head}\n${line}\n${tail}`);
      const { data, appendable } = parseSegment(await fs.readFile(file), file);
      expect([data.version, data.records.c1?.notes, appendable]).toEqual([4, ['changed'], false]);
    }
    const older = parseSegment(Buffer.from(head), file);
    expect([older.data.version, older.appendable, older.wholeBytes]).toEqual([3, true, Buffer.byteLength(head)]);
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
import { ActivityBus } from '../core/events.js';
import { describe, expect, it } from 'vitest';
import type { LibraryEntry } from '../core/platform.js';
import { tempRoot } from '../test/fixtures.js';
import { LibraryRepository } from './library.repository.js';
import { StorageRepository } from './storage.repository.js';

function entry(creativeId: string, reviewStatus: string): LibraryEntry {
  return {
    creativeId,
    dimensions: '300x250',
    fileType: '.png',
    reviewStatus,
    creativeType: 'image',
    uploadDate: '2026-12-01',
  };
}

describe('LibraryRepository', () => {
  it('tells the names whose entries changed or went, and no others, even when the whole library is listed again', async () => {
    const events = new ActivityBus();
    const library = await LibraryRepository.open(
      path.join(await tempRoot(), 'library.json'),
      new StorageRepository(),
      events,
    );
    const told: string[] = [];
    events.on('libraryChanged', (name) => told.push(name));
    library.set('a.png', entry('1', 'pending'));
    library.set('b', entry('2', 'pending'));
    library.set('c', entry('3', 'pending'));
    library.set('a', entry('1', 'pending'));
    expect(told).toEqual(['a', 'b', 'c']);

    told.length = 0;
    library.replaceAll([
      ['a', entry('1', 'pending')],
      ['b', entry('2', 'approved')],
      ['d', entry('4', 'pending')],
    ]);
    expect(told.sort()).toEqual(['b', 'c', 'd']);
    expect(library.nameOf('2')).toBe('b');
    expect(library.get('c')).toBeUndefined();
  });

  it('saves a few changes as journal lines, not a rewrite, and reads them back after a restart', async () => {
    const file = path.join(await tempRoot(), 'library.json');
    const storage = new StorageRepository();
    const library = await LibraryRepository.open(file, storage);
    for (let n = 0; n < 50; n += 1) library.set(`n${n}`, entry(String(n), 'pending'));
    await library.save();
    const written = await fs.readFile(file, 'utf8');

    library.set('n7', entry('7', 'approved'));
    library.set('n60', entry('60', 'pending'));
    await library.save();
    await library.save();
    expect(await fs.readFile(file, 'utf8')).toBe(written);
    expect((await fs.readFile(`${file}.journal`, 'utf8')).trim().split('\n')).toHaveLength(3);

    // A crash while appending leaves a line cut short: it is dropped, the rest is read.
    await fs.appendFile(`${file}.journal`, '{"creativeId":"61","na');
    const reopened = await LibraryRepository.open(file, storage);
    expect(reopened.size).toBe(51);
    expect(reopened.get('n7')?.reviewStatus).toBe('approved');
    expect(reopened.get('n60')?.creativeId).toBe('60');
  });

  it('folds the journal into the file once it grows long, and never replays lines a rewrite replaced', async () => {
    const file = path.join(await tempRoot(), 'library.json');
    const storage = new StorageRepository();
    const library = await LibraryRepository.open(file, storage);
    library.set('a', entry('1', 'pending'));
    library.set('b', entry('2', 'pending'));
    await library.save();
    library.set('b', entry('2', 'rejected'));
    await library.save();
    const oldJournal = await fs.readFile(`${file}.journal`, 'utf8');

    // A full listing without `b`: the file is rewritten; then a crash puts the old journal back.
    library.replaceAll([['a', entry('1', 'approved')]]);
    await library.save();
    await fs.writeFile(`${file}.journal`, oldJournal);
    const reopened = await LibraryRepository.open(file, storage);
    expect(reopened.get('b')).toBeUndefined();
    expect(reopened.get('a')?.reviewStatus).toBe('approved');

    for (let n = 0; n < 1_001; n += 1) reopened.set(`m${n}`, entry(String(100 + n), 'pending'));
    await reopened.save();
    expect((await fs.readFile(`${file}.journal`, 'utf8')).trim().split('\n')).toHaveLength(1);
    expect((await LibraryRepository.open(file, storage)).size).toBe(1_002);
  });

  it('keeps one entry a line, reads a cache in the older shape (one JSON object), and names a damaged line', async () => {
    const file = path.join(await tempRoot(), 'library.json');
    const storage = new StorageRepository();
    await fs.writeFile(
      file,
      JSON.stringify({
        entries: { '1': { ...entry('1', 'approved'), name: 'a' }, '2': { ...entry('2', 'pending'), name: 'b' } },
      }),
    );
    const library = await LibraryRepository.open(file, storage);
    expect(library.get('a')?.reviewStatus).toBe('approved');
    library.set('c', entry('3', 'pending'));
    await library.save();

    const lines = (await fs.readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((line) => (JSON.parse(line) as { name: string }).name)).toEqual(['a', 'b', 'c']);
    expect((await LibraryRepository.open(file, storage)).size).toBe(3);

    await fs.writeFile(file, [lines[0], lines[1], '{"creativeId":"2","na', lines[3]].join('\n'));
    await expect(LibraryRepository.open(file, storage)).rejects.toThrow(/library.json is not valid JSON at line 3/);
  });

  it('keeps what is saved after a crash left a journal of an older file, or one cut short', async () => {
    const file = path.join(await tempRoot(), 'library.json');
    const storage = new StorageRepository();
    const library = await LibraryRepository.open(file, storage);
    library.set('a', entry('1', 'pending'));
    await library.save();
    library.set('b', entry('2', 'pending'));
    library.set('x', entry('8', 'pending'));
    await library.save();
    const olderJournal = await fs.readFile(`${file}.journal`, 'utf8');
    // A rewrite (a listing without `x`), then a crash before the journal was started again: the older journal is left.
    library.replaceAll([
      ['a', entry('1', 'approved')],
      ['b', entry('2', 'pending')],
    ]);
    await library.save();
    await fs.writeFile(`${file}.journal`, olderJournal);

    const afterCrash = await LibraryRepository.open(file, storage);
    afterCrash.set('c', entry('3', 'pending'));
    await afterCrash.save();
    expect((await LibraryRepository.open(file, storage)).get('c')?.creativeId).toBe('3');

    // A last line cut short, then more saves: nothing is glued to the fragment.
    await fs.appendFile(`${file}.journal`, '{"creativeId":"9","na');
    const torn = await LibraryRepository.open(file, storage);
    torn.set('d', entry('4', 'pending'));
    await torn.save();
    torn.set('e', entry('5', 'pending'));
    await torn.save();
    const reopened = await LibraryRepository.open(file, storage);
    expect(['a', 'b', 'c', 'd', 'e'].map((name) => reopened.get(name)?.creativeId)).toEqual(['1', '2', '3', '4', '5']);
    expect(reopened.get('a')?.reviewStatus).toBe('approved');
    expect(reopened.get('x')).toBeUndefined();
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LibraryEntry } from '../core/platform.js';
import { tempRoot } from '../test/fixtures.js';
import { LibraryRepository } from './library.repository.js';
import { StorageRepository } from './storage.repository.js';

function entry(creativeId: string, reviewStatus: string): LibraryEntry {
  return { creativeId, dimensions: '300x250', fileType: '.png', reviewStatus, creativeType: 'image', uploadDate: '2026-12-01' };
}

describe('LibraryRepository', () => {
  it('tells the names whose entries changed or went, and no others, even when the whole library is listed again', async () => {
    const library = await LibraryRepository.open(path.join(await tempRoot(), 'library.json'), new StorageRepository());
    const told: string[] = [];
    library.onChange = (name) => told.push(name);
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
});

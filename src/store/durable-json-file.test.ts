import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempRoot } from '../test/fixtures.js';
import { DurableJsonFile } from './durable-json-file.js';
import { StorageRepository } from './storage.repository.js';

/** A disk on which the writes asked for first take the longest: racing renames would land newest first. */
class SlowFirstStorage extends StorageRepository {
  private writes = 0;

  override async writeFileAtomic(...args: Parameters<StorageRepository['writeFileAtomic']>): Promise<void> {
    this.writes += 1;
    await delay(Math.max(0, 60 - this.writes * 10));
    return super.writeFileAtomic(...args);
  }
}

describe('DurableJsonFile', () => {
  it('lands writes to one file in the order they were asked for, across adapters of the same file', async () => {
    const file = path.join(await tempRoot(), 'state.json');
    const storage = new SlowFirstStorage();
    const [even, odd] = [
      new DurableJsonFile<{ version: number }>(file, storage),
      new DurableJsonFile<{ version: number }>(file, storage),
    ];
    await Promise.all(Array.from({ length: 6 }, (_, version) => (version % 2 === 0 ? even : odd).write({ version })));
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ version: 5 });
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Layout } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot } from '../test/fixtures.js';
import { RetentionService } from './retention.service.js';

describe('retention', () => {
  it('prunes screenshots, temporary files and daily reports older than the retention, and nothing people keep', async () => {
    const layout = new Layout(await tempRoot());
    const old = new Date(Date.now() - 31 * 86_400_000);
    const files = {
      oldShot: path.join(layout.screenshots, '20261001-upload.png'),
      newShot: path.join(layout.screenshots, '20261121-upload.png'),
      oldTemp: path.join(layout.tmp, 'campaign_1001.csv'),
      oldReport: path.join(layout.reportsDir, 'daily_2026-10-01.html'),
      newReport: path.join(layout.reportsDir, 'daily_2026-11-21.md'),
      oldNotes: path.join(layout.reportsDir, 'notes.txt'),
      oldInventory: layout.inventoryCsv,
      oldStatus: layout.uploadStatusFile('20261001_101010'),
    };
    for (const file of Object.values(files)) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, 'x');
    }
    for (const file of [
      files.oldShot,
      files.oldTemp,
      files.oldReport,
      files.oldNotes,
      files.oldInventory,
      files.oldStatus,
    ])
      await fs.utimes(file, old, old);
    const pruned = await new RetentionService(
      layout,
      new StorageRepository(),
      createLogger({ level: 'silent', pretty: false }),
      30,
    ).prune();
    expect(pruned).toEqual({ screenshots: 1, temporary: 1, reports: 1 });
    const left = await Promise.all(
      Object.entries(files).map(async ([name, file]) => [
        name,
        await fs.stat(file).then(
          () => true,
          () => false,
        ),
      ]),
    );
    expect(Object.fromEntries(left)).toEqual({
      oldShot: false,
      newShot: true,
      oldTemp: false,
      oldReport: false,
      newReport: true,
      oldNotes: true,
      oldInventory: true,
      oldStatus: true,
    });
  });
});

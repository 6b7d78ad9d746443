import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { rootPath } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot, waitFor } from '../test/fixtures.js';
import { InventoryService } from './inventory.service.js';

const storage = new StorageRepository();
const log = createLogger({ level: 'silent', pretty: false });

function uploaded(n: number): Omit<CreativeRecord, 'key'> {
  const id = String(n).padStart(8, '0');
  return {
    state: 'uploaded',
    source: { path: rootPath(`inbox/photo-${n}.jpg`), size: n + 1, mtimeMs: 1 },
    kind: 'image',
    hash: String(n).padStart(64, '0'),
    naming: {
      id,
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
        role: 'creative',
        path: rootPath(`uploaded/Image/EN_C_ID-${id}.png`),
        bytes: 1,
        width: 300,
        height: 250,
        format: 'png',
        converted: true,
        uploads: { tj: { status: 'uploaded', creativeId: `9${n}`, batch: 1, at: '2026-12-01T10:00:00.000Z' } },
      },
    ],
    attempts: 0,
    times: {},
  };
}

/** A library of 8 creatives in 4 segments, an inventory of it, and a count of the segments each rewrite renders. */
async function library() {
  const root = await tempRoot();
  const creatives = await CreativeRepository.open(path.join(root, 'db'), storage, { segmentSize: 2 });
  for (let n = 0; n < 8; n += 1) creatives.create(uploaded(n));
  await creatives.flush();
  const statuses = new Map<string, string>([['EN_C_ID-00000005.png', 'pending']]);
  const factsFile = path.join(root, 'library.json');
  await fs.writeFile(factsFile, '{}');
  // Saved well before the first rewrite: one within two seconds of it counts as after it.
  const before = new Date(Date.now() - 10_000);
  await fs.utimes(factsFile, before, before);
  const rendered: number[] = [];
  const counting = {
    index: creatives.index,
    segmentOf: (key: string) => creatives.segmentOf(key),
    segmentNumbers: () => creatives.segmentNumbers(),
    savedVersion: (number: number) => creatives.savedVersion(number),
    segmentRecords: (number: number) => {
      rendered.push(number);
      return creatives.segmentRecords(number);
    },
  };
  const file = path.join(root, 'inventory.csv');
  const inventory = () =>
    new InventoryService(counting, storage, log, {
      file,
      partsDir: path.join(root, 'parts'),
      debounceMs: 0,
      facts: { reviewStatusOf: (name) => statuses.get(name), campaignsOf: () => [] },
      factsFiles: () => [factsFile],
    });
  const rows = async () => parse<Record<string, string>>(await fs.readFile(file, 'utf8'), { columns: true, bom: true });
  return { root, creatives, statuses, factsFile, rendered, inventory, rows };
}

describe('InventoryService', () => {
  it('renders only the segments that changed, and copies the rest', async () => {
    const { creatives, rendered, inventory, rows } = await library();
    const service = inventory();
    await service.writeNow();
    expect(rendered).toEqual([0, 1, 2, 3]);
    const before = await rows();

    const record = await creatives.load('c6');
    if (!record) throw new Error('missing record');
    await creatives.commit({ ...record, notes: ['looked at by a person'] });
    rendered.length = 0;
    await service.writeNow();

    expect(rendered).toEqual([3]);
    const after = await rows();
    expect(after.map((row) => row.notes)).toEqual(['', '', '', '', '', '', 'looked at by a person', '']);
    expect(after.filter((_, i) => i !== 6)).toEqual(before.filter((_, i) => i !== 6));
  });

  it("renders a segment again when the platform's facts about one of its creatives change", async () => {
    const { statuses, rendered, inventory, rows } = await library();
    const service = inventory();
    await service.writeNow();
    statuses.set('EN_C_ID-00000005.png', 'approved');
    rendered.length = 0;
    await service.writeNow();
    // Not told: the kept rows are copied, which is what the change below is needed for.
    expect(rendered).toEqual([]);
    expect((await rows())[5]?.review_status).toBe('pending');

    service.factsChanged(['EN_C_ID-00000005']);
    await service.writeNow();
    expect(rendered).toEqual([2]);
    expect((await rows())[5]?.review_status).toBe('approved');
  });

  it('renders every segment after a restart when the facts changed after the last rewrite, and none when they did not', async () => {
    const { statuses, factsFile, rendered, inventory, rows } = await library();
    await inventory().writeNow();

    rendered.length = 0;
    await inventory().writeNow();
    expect(rendered).toEqual([]);

    // As a crash between saving the library cache and rewriting the inventory leaves it.
    statuses.set('EN_C_ID-00000005.png', 'rejected');
    const later = new Date(Date.now() + 5_000);
    await fs.utimes(factsFile, later, later);
    await inventory().writeNow();
    expect(rendered).toEqual([0, 1, 2, 3]);
    expect((await rows())[5]?.review_status).toBe('rejected');
  });

  it('renders a segment again when its kept rows are cut short or missing', async () => {
    const { root, rendered, inventory, rows } = await library();
    const service = inventory();
    await service.writeNow();
    const before = await rows();
    const part = path.join(root, 'parts', 'segment-0001.csv');
    const text = await fs.readFile(part, 'utf8');
    await fs.writeFile(part, text.slice(0, -20));
    await fs.rm(path.join(root, 'parts', 'segment-0003.csv'));
    rendered.length = 0;
    await service.writeNow();
    expect(rendered).toEqual([1, 3]);
    expect(await rows()).toEqual(before);
  });

  it('renders a segment whose write is under way from memory, and keeps no rows for it', async () => {
    const root = await tempRoot();
    let release: () => void = () => undefined;
    let holding = false;
    let held = false;
    // A segment write that waits until released: the inventory is rewritten meanwhile.
    const hold = (): Promise<void> =>
      new Promise<void>((resolve) => {
        release = resolve;
        held = true;
      });
    const slow = new (class extends StorageRepository {
      override async writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
        if (holding && path.basename(file) === 'creatives-0001.json') await hold();
        return super.writeFileAtomic(file, data);
      }
      override async appendDurable(file: string, text: string): Promise<void> {
        if (holding && path.basename(file) === 'creatives-0001.json') await hold();
        return super.appendDurable(file, text);
      }
    })();
    const creatives = await CreativeRepository.open(path.join(root, 'db'), slow, { segmentSize: 2 });
    for (let n = 0; n < 4; n += 1) creatives.create(uploaded(n));
    await creatives.flush();
    const file = path.join(root, 'inventory.csv');
    const inventory = new InventoryService(creatives, slow, log, {
      file,
      partsDir: path.join(root, 'parts'),
      debounceMs: 0,
    });
    await inventory.writeNow();

    const record = creatives.get('c2');
    if (!record) throw new Error('missing record');
    holding = true;
    const written = creatives.commit({ ...record, notes: ['changed while on its way to disk'] });
    // The inventory is rewritten only once the segment's write is under way, held on its way to disk.
    await waitFor(() => held, 10_000, 'the segment write to start', 5);
    await inventory.writeNow();
    const rows = parse<Record<string, string>>(await fs.readFile(file, 'utf8'), { columns: true, bom: true });
    expect(rows[2]?.notes).toBe('changed while on its way to disk');
    expect(await fs.stat(path.join(root, 'parts', 'segment-0001.csv')).catch(() => undefined)).toBeUndefined();
    release();
    await written;
  });

  it('neutralises names, notes and reasons that a spreadsheet would run as formulas', async () => {
    const { creatives, inventory, rows } = await library();
    const service = inventory();
    const record = await creatives.load('c0');
    if (!record) throw new Error('missing record');
    const formula = '=HYPERLINK("evil.test","open").jpg';
    await creatives.commit({
      ...record,
      source: { ...record.source, path: rootPath(`inbox/${formula}`) },
      notes: ['+cmd|calc'],
      reason: '@SUM(1)',
    });
    await service.writeNow();
    const row = (await rows())[0];
    expect([row?.original_filename, row?.source_path, row?.notes, row?.reason, row?.new_filename]).toEqual([
      `'${formula}`,
      `inbox/${formula}`,
      "'+cmd|calc",
      "'@SUM(1)",
      'EN_C_ID-00000000.png',
    ]);
  });
});

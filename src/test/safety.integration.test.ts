import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listTree, tempRoot } from './fixtures.js';
import { processRoot } from './harness.js';

describe('nothing lost, nothing misfiled', () => {
  it('sets 24 different broken files of one name aside, each with its own bytes and its own reason', async () => {
    const root = await tempRoot();
    const inputs = new Map<string, string>();
    for (let n = 0; n < 24; n += 1) {
      const source = `inbox/folder-${String(n).padStart(2, '0')}/broken.mp4`;
      inputs.set(source, `not a video, number ${n}\n`);
      await fs.mkdir(path.join(root, path.dirname(source)), { recursive: true });
      await fs.writeFile(path.join(root, source), inputs.get(source) ?? '');
    }
    await processRoot(root);

    expect(await listTree(path.join(root, 'inbox'))).toEqual([]);
    const [day] = await fs.readdir(path.join(root, 'archive', 'rejected'));
    const dir = path.join(root, 'archive', 'rejected', day ?? '');
    const kept = (await fs.readdir(dir)).filter((name) => name.endsWith('.mp4'));
    expect(kept).toHaveLength(24);
    const seen = new Set<string>();
    for (const name of kept) {
      const reason = await fs.readFile(path.join(dir, `${name}.reason.txt`), 'utf8');
      const source = /^File: (.*)$/m.exec(reason)?.[1] ?? '';
      expect(reason).toMatch(/^Rejected: This is not a playable video/);
      expect(await fs.readFile(path.join(dir, name), 'utf8'), `${name} holds ${source}`).toBe(inputs.get(source));
      seen.add(source);
    }
    expect(seen.size).toBe(24);
  });
});

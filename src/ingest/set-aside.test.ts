import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot } from '../test/fixtures.js';
import { moveAside } from './set-aside.js';

/** A filesystem whose moves wait a little first: every racer picks its name before any file lands. */
class SlowMoves extends StorageRepository {
  override async moveFile(from: string, to: string, expectedHash?: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return super.moveFile(from, to, expectedHash);
  }
}

describe('moveAside', () => {
  it('gives files of one name set aside at the same moment a name each, and loses none', async () => {
    const root = await tempRoot();
    const storage = new SlowMoves();
    const dir = path.join(root, 'archive', 'rejected', '2026-11-22');
    const sources = await Promise.all(
      Array.from({ length: 24 }, async (_, n) => {
        const file = path.join(root, 'inbox', `folder-${n}`, 'broken.mp4');
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, `broken input number ${n}`);
        return file;
      }),
    );
    // A file already there that no claim accounts for (put there by a person) is not replaced either.
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'broken-3.mp4'), 'a person put this here');
    const moved = await Promise.all(
      sources.map((source, n) =>
        moveAside(storage, { source, dir, name: 'broken.mp4', claim: `c${n}`, note: `Rejected: reason ${n}` }),
      ),
    );
    expect(new Set(moved).size).toBe(24);
    expect(moved).not.toContain(path.join(dir, 'broken-3.mp4'));
    expect(await fs.readFile(path.join(dir, 'broken-3.mp4'), 'utf8')).toBe('a person put this here');
    for (const [n, destination] of moved.entries()) {
      expect(await fs.readFile(destination, 'utf8')).toBe(`broken input number ${n}`);
      expect(await fs.readFile(`${destination}.reason.txt`, 'utf8')).toMatch(
        new RegExp(`reason ${n}\\nRecord: c${n}\\n`),
      );
    }
    expect(
      (await fs.readdir(path.join(root, 'inbox'), { recursive: true })).filter((name) => name.endsWith('.mp4')),
    ).toEqual([]);
  });

  it('finishes its own move after a crash at any step, in the place it claimed', async () => {
    const root = await tempRoot();
    const storage = new StorageRepository();
    const dir = path.join(root, 'archive', 'rejected', '2026-11-22');
    const source = path.join(root, 'inbox', 'a.mp4');
    await fs.mkdir(path.dirname(source), { recursive: true });
    await fs.writeFile(source, 'input');
    // Crash 1: after the claim, before the move. Crash 2: after the move, before the record heard.
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'a.mp4.reason.txt'), 'Rejected: x\nRecord: c7\n');
    await fs.writeFile(path.join(dir, 'a-2.mp4.reason.txt'), 'Rejected: y\nRecord: c70\n');
    expect(await moveAside(storage, { source, dir, name: 'a.mp4', claim: 'c70', note: 'Rejected: y' })).toBe(
      path.join(dir, 'a-2.mp4'),
    );
    expect(await moveAside(storage, { source, dir, name: 'a.mp4', claim: 'c70', note: 'Rejected: y' })).toBe(
      path.join(dir, 'a-2.mp4'),
    );
    expect(await fs.readFile(path.join(dir, 'a-2.mp4'), 'utf8')).toBe('input');
    expect(await storage.exists(path.join(dir, 'a.mp4'))).toBe(false);
  });
});

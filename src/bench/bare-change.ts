/**
 * The floor under "one change alone": what any store that keeps a record in a whole JSON file must
 * do for one change, done with bare `node:fs` calls on the benchmark's own segment files. Read the
 * file, parse it, change one record, serialise it, and replace it durably (temporary file,
 * fdatasync, rename, fsync of the folder). The figure is printed beside ours, measured in the same
 * run, so a slow disk shows as a slow floor rather than as our overhead.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

interface SegmentFile {
  records: Record<string, { attempts: number }>;
}

/** Milliseconds per change, one at a time, over the segment files `numbers` names (in that order). */
export async function bareChangeMs(dir: string, numbers: readonly number[]): Promise<number> {
  const started = performance.now();
  for (const [n, number] of numbers.entries()) {
    const file = path.join(dir, `creatives-${String(number).padStart(4, '0')}.json`);
    const segment = JSON.parse(await fs.readFile(file, 'utf8')) as SegmentFile;
    const records = Object.values(segment.records);
    const record = records[n % records.length];
    if (record) record.attempts += 1;
    const temp = `${file}.bare-${n}.tmp`;
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(segment));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    const folder = await fs.open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
  return (performance.now() - started) / numbers.length;
}

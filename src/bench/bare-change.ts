/**
 * The floors under "one change alone", done with bare `node:fs` calls on the benchmark's own segment
 * files: read the file and parse it (its first line and the lines after), change one record, then
 * save it durably in one of two ways.
 * - `append`: the record's line appended and flushed (fdatasync), which is what the store does.
 * - `rewrite`: the whole file replaced (temporary file, fdatasync, rename, fsync of the folder),
 *   which is what any store that keeps a record only in a whole JSON file must do.
 * Both are printed beside ours, measured in the same run, so a slow disk shows as a slow floor
 * rather than as our overhead.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

interface BareRecord {
  key: string;
  attempts: number;
}

/** Milliseconds per change, one at a time, over the segment files `numbers` names (in that order). */
export async function bareChangeMs(
  dir: string,
  numbers: readonly number[],
  save: 'append' | 'rewrite',
): Promise<number> {
  const started = performance.now();
  for (const [n, number] of numbers.entries()) {
    const file = path.join(dir, `creatives-${String(number).padStart(4, '0')}.json`);
    const [first = '', ...lines] = (await fs.readFile(file, 'utf8')).split('\n');
    const segment = JSON.parse(first) as { records: Record<string, BareRecord> };
    for (const line of lines) {
      if (line === '') continue;
      const record = JSON.parse(line) as BareRecord;
      segment.records[record.key] = record;
    }
    const records = Object.values(segment.records);
    const record = records[n % records.length];
    if (!record) continue;
    record.attempts += 1;
    if (save === 'append') {
      const handle = await fs.open(file, 'a');
      try {
        await handle.writeFile(`${JSON.stringify(record)}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      continue;
    }
    const temp = `${file}.bare-${n}.tmp`;
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(segment)}\n`);
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

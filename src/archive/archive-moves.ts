import path from 'node:path';
import { isIn, type Layout } from '../core/layout.js';
import type { CreativeRecord, OutputFile } from '../core/record.js';
import { moveAside } from '../ingest/set-aside.js';
import type { StorageRepository } from '../store/storage.repository.js';

/**
 * Moves every file of an uploaded creative (its `ORG_` original too) from `uploaded/` into its
 * archive batch folder, in the same sub-layout, and points the record at the new paths. Safe to
 * run again after a crash: a file already moved is recognised, and a move cut short is finished.
 * A name another file already holds is never replaced: that creative waits, with the reason logged.
 */
export async function archiveRecord(
  record: CreativeRecord,
  layout: Layout,
  storage: StorageRepository,
): Promise<CreativeRecord> {
  const batchDir = plannedDir(record, layout);
  const outputs = await moveOutOfUploaded(record, layout, async (output, from) => {
    const to = path.join(batchDir, path.relative(layout.uploaded, from));
    if (await storage.stat(from)) await storage.moveFile(from, to);
    else if (!(await storage.stat(to)))
      throw new Error(`${output.path} is in neither uploaded/ nor ${record.archive?.dir}`);
    return to;
  });
  return {
    ...record,
    outputs,
    state: 'archived',
    times: { ...record.times, archived: record.times.archived ?? new Date().toISOString() },
  };
}

/**
 * Moves the files of a creative TJ refused out of `uploaded/` into `archive/rejected/{date}/`,
 * flat, each under a name of its own with TJ's reason beside it. It stays `rejected`.
 */
export async function archiveRejected(
  record: CreativeRecord,
  layout: Layout,
  storage: StorageRepository,
): Promise<CreativeRecord> {
  const dir = plannedDir(record, layout);
  const outputs = await moveOutOfUploaded(record, layout, (output, from) => {
    const note = [
      `Rejected by TJ: ${record.reason ?? 'no reason given'}`,
      `File: ${output.path}`,
      `Dropped as: ${record.source.path}`,
    ].join('\n');
    return moveAside(storage, {
      source: from,
      dir,
      name: path.basename(from),
      claim: `${record.key} ${output.role}`,
      note,
    });
  });
  return { ...record, outputs };
}

/** Moves each of a record's files still in `uploaded/` with `move` (which returns where it went); the others stay as they are. */
async function moveOutOfUploaded(
  record: CreativeRecord,
  layout: Layout,
  move: (output: OutputFile, from: string) => Promise<string>,
): Promise<OutputFile[]> {
  const outputs: OutputFile[] = [];
  for (const output of record.outputs ?? []) {
    outputs.push(
      isIn(output.path, 'uploaded')
        ? { ...output, path: layout.rel(await move(output, layout.abs(output.path))) }
        : output,
    );
  }
  return outputs;
}

function plannedDir(record: CreativeRecord, layout: Layout): string {
  if (!record.archive) throw new Error(`Creative ${record.key} has no archive folder planned`);
  return layout.abs(record.archive.dir);
}

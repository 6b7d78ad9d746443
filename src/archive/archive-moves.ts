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
export async function archiveRecord(record: CreativeRecord, layout: Layout, storage: StorageRepository): Promise<CreativeRecord> {
  const batchDir = plannedDir(record, layout);
  const outputs: OutputFile[] = [];
  for (const output of record.outputs ?? []) {
    if (!isIn(output.path, 'uploaded')) {
      outputs.push(output);
      continue;
    }
    const from = layout.abs(output.path);
    const to = path.join(batchDir, path.relative(layout.uploaded, from));
    if (await storage.stat(from)) await storage.moveFile(from, to);
    else if (!(await storage.stat(to))) throw new Error(`${output.path} is in neither uploaded/ nor ${record.archive?.dir}`);
    outputs.push({ ...output, path: layout.rel(to) });
  }
  return { ...record, outputs, state: 'archived', times: { ...record.times, archived: record.times.archived ?? new Date().toISOString() } };
}

/**
 * Moves the files of a creative TJ refused out of `uploaded/` into `archive/rejected/{date}/`,
 * flat, each under a name of its own with TJ's reason beside it. It stays `rejected`.
 */
export async function archiveRejected(record: CreativeRecord, layout: Layout, storage: StorageRepository): Promise<CreativeRecord> {
  const dir = plannedDir(record, layout);
  const outputs: OutputFile[] = [];
  for (const output of record.outputs ?? []) {
    if (!isIn(output.path, 'uploaded')) {
      outputs.push(output);
      continue;
    }
    const note = [`Rejected by TJ: ${record.reason ?? 'no reason given'}`, `File: ${output.path}`, `Dropped as: ${record.source.path}`].join('\n');
    const destination = await moveAside(storage, { source: layout.abs(output.path), dir, name: path.basename(output.path), claim: `${record.key} ${output.role}`, note });
    outputs.push({ ...output, path: layout.rel(destination) });
  }
  return { ...record, outputs };
}

function plannedDir(record: CreativeRecord, layout: Layout): string {
  if (!record.archive) throw new Error(`Creative ${record.key} has no archive folder planned`);
  return layout.abs(record.archive.dir);
}

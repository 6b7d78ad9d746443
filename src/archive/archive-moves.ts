import path from 'node:path';
import { isIn, type Layout } from '../core/layout.js';
import type { CreativeRecord, OutputFile } from '../core/record.js';
import type { StorageRepository } from '../store/storage.repository.js';

/**
 * Moves every file of an uploaded creative (its `ORG_` original too) from `uploaded/` into its
 * archive batch folder, in the same sub-layout, and points the record at the new paths. Safe to
 * run again after a crash: a file already moved is recognised, and a copy whose source is still
 * there (a crash between copy and unlink across devices) is moved again, leaving one.
 */
export async function archiveRecord(record: CreativeRecord, layout: Layout, storage: StorageRepository): Promise<CreativeRecord> {
  return { ...record, outputs: await moveOutOfUploaded(record, layout, storage, true), state: 'archived', times: { ...record.times, archived: record.times.archived ?? new Date().toISOString() } };
}

/**
 * Moves the files of a creative TJ refused out of `uploaded/` into `archive/rejected/{date}/`,
 * flat, each with its reason beside it. It stays `rejected`.
 */
export async function archiveRejected(record: CreativeRecord, layout: Layout, storage: StorageRepository): Promise<CreativeRecord> {
  const outputs = await moveOutOfUploaded(record, layout, storage, false);
  for (const output of outputs) {
    const note = [`Rejected by TJ: ${record.reason ?? 'no reason given'}`, `File: ${output.path}`, `Dropped as: ${record.source.path}`, ''].join('\n');
    await storage.writeFileAtomic(`${layout.abs(output.path)}.reason.txt`, note);
  }
  return { ...record, outputs };
}

/** Moves every file of `record` still in `uploaded/` into its planned archive folder; safe to repeat. */
async function moveOutOfUploaded(record: CreativeRecord, layout: Layout, storage: StorageRepository, keepLayout: boolean): Promise<OutputFile[]> {
  if (!record.archive) throw new Error(`Creative ${record.key} has no archive folder planned`);
  const batchDir = layout.abs(record.archive.dir);
  const outputs: OutputFile[] = [];
  for (const output of record.outputs ?? []) {
    if (!isIn(output.path, 'uploaded')) {
      outputs.push(output);
      continue;
    }
    const from = layout.abs(output.path);
    const to = keepLayout ? path.join(batchDir, path.relative(layout.uploaded, from)) : path.join(batchDir, path.basename(from));
    if (await storage.stat(from)) {
      await storage.moveFile(from, to);
    } else if (!(await storage.stat(to))) {
      throw new Error(`${output.path} is in neither uploaded/ nor ${record.archive.dir}`);
    }
    outputs.push({ ...output, path: layout.rel(to) });
  }
  return outputs;
}

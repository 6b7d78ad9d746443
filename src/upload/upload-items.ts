import type { UploadTarget } from '../core/platform.js';
import type { CreativeRecord, OutputFile, PlatformUpload } from '../core/record.js';

/** One output owed to one platform, with where it goes and the name the platform shows. */
export interface Item {
  readonly key: string;
  readonly output: OutputFile;
  readonly target: UploadTarget;
  readonly name: string;
}

/** Pages a look-up may read when a short one left a name unsettled: a listing to its end (TJ's run to 500 pages a tab). */
export const READ_THROUGH_PAGES = 500;

/** Whether an output was sent to the platform before, with no answer that settled it: it may be there. */
export function sentBefore(upload: PlatformUpload | undefined): boolean {
  return upload?.status === 'in_flight' || upload?.status === 'failed';
}

/** Native video → Rollover, native image → Static Banner, preroll → In-Stream, image → Static Banner tab. */
export function targetOf(record: CreativeRecord, output: OutputFile): UploadTarget | undefined {
  if (output.role === 'video') return 'native-rollover';
  if (output.role === 'image') return 'native-static';
  if (output.role !== 'creative') return undefined;
  return record.kind === 'preroll' ? 'in-stream' : 'static-banner';
}

/** Consecutive runs of one target, at most `size` long. */
export function batches(items: readonly Item[], size: number): Item[][] {
  const byTarget = new Map<UploadTarget, Item[]>();
  for (const item of items) {
    const group = byTarget.get(item.target);
    if (group) group.push(item);
    else byTarget.set(item.target, [item]);
  }
  return [...byTarget.values()].flatMap((group) =>
    Array.from({ length: Math.ceil(group.length / size) }, (_, i) => group.slice(i * size, (i + 1) * size)),
  );
}

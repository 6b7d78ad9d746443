import type { SetAsideKind } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import type { StageContext } from './context.js';
import { convert } from './convert.js';
import { findDuplicate, type Duplicate } from './dedupe.js';
import type { KnownFakesFile } from './known-fakes.js';
import { name, type NameSources } from './name.js';
import { place } from './place.js';
import { probe } from './probe.js';
import { removeConvertedOutputs, setAside } from './set-aside.js';

/**
 * The ingest steps as the driver calls them. {@link stageSteps} binds the stage functions to the
 * real adapters; the driver's unit tests hand in fakes. `signal` aborts long work on shutdown.
 */
export interface IngestSteps {
  /** discovered → probed: content hash, media facts and kind. */
  probe(record: CreativeRecord, signal: AbortSignal): Promise<CreativeRecord>;
  /** probed → named: tokens and the content-derived id. */
  name(record: CreativeRecord): Promise<CreativeRecord>;
  /** The creative this one repeats, by content. */
  findDuplicate(record: CreativeRecord): Promise<Duplicate | undefined>;
  /** named → converted: every output written in `uploaded/`. */
  convert(record: CreativeRecord, signal: AbortSignal): Promise<CreativeRecord>;
  /** converted → staged: the source leaves `inbox/` for its place beside the outputs. */
  place(record: CreativeRecord, signal: AbortSignal): Promise<CreativeRecord>;
  /** Moves the source to the rejected or duplicates folder; returns the record in that state. */
  setAside(record: CreativeRecord, kind: SetAsideKind, reason: string, signal: AbortSignal): Promise<CreativeRecord>;
  /** Removes what conversion wrote, for a file that starts over or fails for good. */
  removeOutputs(record: CreativeRecord): Promise<void>;
}

export function stageSteps(
  ctx: Omit<StageContext, 'signal'>,
  nameSources: NameSources,
  fakes?: KnownFakesFile,
): IngestSteps {
  return {
    probe: (record, signal) => probe(record, { ...ctx, signal }, fakes),
    name: (record) => name(record, nameSources),
    findDuplicate: (record) => findDuplicate(record, ctx.creatives),
    convert: (record, signal) => convert(record, { ...ctx, signal }),
    place: (record, signal) => place(record, { ...ctx, signal }),
    setAside: (record, kind, reason, signal) => setAside(record, kind, reason, { ...ctx, signal }),
    removeOutputs: (record) => removeConvertedOutputs(record, ctx),
  };
}

import type { RootPath } from './layout.js';
import type { PlatformId, UploadTarget } from './platform.js';
import type { CreativeRecord } from './record.js';

/** What became of one file in one upload run: a row of `upload_status_*.csv`. */
export interface UploadOutcome {
  readonly key: string;
  readonly path: RootPath;
  readonly platform: PlatformId;
  readonly target: UploadTarget;
  /** `unfit`: not sent, because the file is outside this platform's limits (`message` says which). */
  readonly status: 'success' | 'failed' | 'duplicate' | 'rejected' | 'unfit' | 'dry_run';
  readonly creativeId?: string;
  readonly message?: string;
  /** The group it was sent in, numbered within this run (the archive batch is on the record). */
  readonly batch?: number;
  readonly retries: number;
  readonly at: string;
}

export interface UploadSummary {
  readonly dryRun: boolean;
  /** Every file this run touched, in order. */
  readonly outcomes: readonly UploadOutcome[];
  readonly uploaded: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** Still waiting: transient failures after every retry, or a pause for `creative-flow login`. */
  readonly pending: number;
  readonly loginRequired: boolean;
  /** What the platform said when it asked for a person to sign in. */
  readonly loginMessage?: string;
}

/** One archive batch folder and the creatives moved into it. */
export interface ArchivedBatch {
  readonly batch: number;
  readonly dir: RootPath;
  /** When the batch was opened: its campaign CSVs carry it in their names. */
  readonly stamp: string;
  readonly records: CreativeRecord[];
}

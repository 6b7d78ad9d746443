import { EventEmitter } from 'node:events';
import type { PlatformId, SessionStatus } from './platform.js';
import type { CreativeRecord } from './record.js';

/**
 * What the product announces as it works. Jobs and services emit; whoever needs to know listens
 * (the inventory writer now), so no service holds a callback into another.
 */
export interface ActivityEvents {
  /** A creative's record changed: a new state, a failed attempt, an upload result. */
  creative: [record: CreativeRecord, message: string];
  /** Work stopped because the disk refuses writes; the message says why and what to do. */
  paused: [message: string];
  /** The disk takes writes again and work goes on. */
  resumed: [];
  /** Work on a platform stopped for a person: a login to do, or credentials to fix. */
  platform: [platform: PlatformId, status: SessionStatus];
  /** An upload batch went out (its files), or ended (`undefined`). */
  upload: [batch: UploadBatchInFlight | undefined];
  /** A job or a browser step failed: what, in plain words, and the screenshot when one was taken. */
  problem: [problem: Problem];
  /** The daily report was written. */
  report: [report: ReportWritten];
  /** The browser went away (a crash, or killed) and a new one took over the work on TJ. */
  browserRestarted: [];
  /** An upload pass failed (not for a login): how many in a row now, and why the last did. */
  passFailed: [inARow: number, message: string];
  /** A platform's library cache changed the entry of the creative of this name (or dropped it). */
  libraryChanged: [name: string];
  /** Ads were recorded as created in a campaign, for these creative ids. */
  adsRecorded: [creativeIds: readonly string[]];
  /** Long work moved on: a page of a library walk read, a file of an upload pass or of a backlog done. */
  progress: [progress: WorkProgress];
}

/** How far one part of a piece of long work has got; each work and part is a bar of its own. */
export interface WorkProgress {
  readonly work: 'walk' | 'upload' | 'ingest';
  /** A walk's listing, an upload's platform, the inbox. */
  readonly part: string;
  readonly done: number;
  /** Unknown for a walk until its last page. */
  readonly total?: number;
  readonly unit: 'pages' | 'files';
}

export interface UploadBatchInFlight {
  readonly target: string;
  readonly files: readonly string[];
  readonly since: string;
}

export interface Problem {
  readonly at: string;
  readonly what: string;
  readonly message: string;
  /** Under the root, when a screenshot of the page was saved. */
  readonly screenshot?: string;
}

export interface ReportWritten {
  readonly date: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly files: readonly string[];
}

export class ActivityBus extends EventEmitter<ActivityEvents> {}

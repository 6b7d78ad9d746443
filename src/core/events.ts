import { EventEmitter } from 'node:events';
import type { SessionStatus } from './platform.js';
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
  /** Work on the platform stopped for a person: a login to do, or credentials to fix. */
  platform: [status: SessionStatus];
}

export class ActivityBus extends EventEmitter<ActivityEvents> {}

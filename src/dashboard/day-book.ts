import { localDate } from '../core/dates.js';
import type { CreativeRecord } from '../core/record.js';
import type { State } from '../core/state.js';

/** What the chart counts, per day: the state a creative reached that day. */
export const CHARTED = ['discovered', 'uploaded', 'rejected', 'failed'] as const satisfies readonly State[];
type Charted = (typeof CHARTED)[number];

export interface DayCounts {
  readonly date: string;
  readonly received: number;
  readonly uploaded: number;
  readonly rejected: number;
  readonly failed: number;
}

/**
 * The last days at a glance: which creatives reached each charted state on each day, as the daily
 * report counts them (a creative counts once per state, on the day it first got there), and the
 * creatives touched today. Fed once from the database, then by each change as it happens, so a
 * page never waits on a walk through the library.
 */
export class DayBook {
  private readonly days = new Map<string, Record<Charted, Set<string>>>();
  private readonly today = new Map<string, CreativeRecord>();
  /** The span's dates, worked out once a day: the first walk notes every record of the library. */
  private window = { today: '', dates: new Set<string>() };

  constructor(private readonly span = 14) {}

  /** Takes a record in (from the first walk, or as it changes). */
  note(record: CreativeRecord, now = new Date()): void {
    const { dates, today: todayDate } = this.windowAt(now);
    for (const state of CHARTED) {
      const at = record.times[state];
      if (at === undefined) continue;
      const date = localDate(at);
      if (!dates.has(date)) continue;
      let day = this.days.get(date);
      if (!day) {
        day = { discovered: new Set(), uploaded: new Set(), rejected: new Set(), failed: new Set() };
        this.days.set(date, day);
      }
      day[state].add(record.key);
    }
    if (Object.values(record.times).some((at) => at !== undefined && localDate(at) === todayDate))
      this.today.set(record.key, record);
  }

  /** One entry per day of the span, oldest first; days with nothing are zeros. */
  counts(now = new Date()): DayCounts[] {
    const dates = this.dates(now);
    for (const date of this.days.keys()) if (date < (dates[0] ?? date)) this.days.delete(date);
    return dates.map((date) => {
      const day = this.days.get(date);
      return {
        date,
        received: day?.discovered.size ?? 0,
        uploaded: day?.uploaded.size ?? 0,
        rejected: day?.rejected.size ?? 0,
        failed: day?.failed.size ?? 0,
      };
    });
  }

  /** Today's creatives, the latest change first. */
  creativesToday(now = new Date()): CreativeRecord[] {
    const todayDate = localDate(now);
    const latest = (record: CreativeRecord): string =>
      Object.values(record.times).reduce<string>((max, at) => (at !== undefined && at > max ? at : max), '');
    for (const [key, record] of this.today) if (localDate(latest(record)) !== todayDate) this.today.delete(key);
    return [...this.today.values()].sort((a, b) => latest(b).localeCompare(latest(a)));
  }

  /** The oldest date the chart shows. */
  firstDate(now = new Date()): string {
    return this.dates(now)[0] ?? localDate(now);
  }

  private windowAt(now: Date): { today: string; dates: ReadonlySet<string> } {
    const today = localDate(now);
    if (this.window.today !== today) this.window = { today, dates: new Set(this.dates(now)) };
    return this.window;
  }

  private dates(now: Date): string[] {
    return Array.from({ length: this.span }, (_, i) =>
      localDate(new Date(now.getTime() - (this.span - 1 - i) * 86_400_000)),
    );
  }
}

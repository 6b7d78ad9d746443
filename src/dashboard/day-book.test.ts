import { describe, expect, it } from 'vitest';
import { rootPath } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { DayBook } from './day-book.js';

const at = (daysAgo: number, now: Date): string => new Date(now.getTime() - daysAgo * 86_400_000).toISOString();

function record(key: string, times: CreativeRecord['times'], state: CreativeRecord['state']): CreativeRecord {
  return { key, state, attempts: 0, times, source: { path: rootPath(`inbox/${key}.mp4`), size: 1, mtimeMs: 1 } };
}

describe('DayBook', () => {
  it('counts each creative once per state on the day it got there, over the last 14 days, however often it changes', () => {
    const now = new Date('2026-11-22T12:00:00');
    const book = new DayBook();
    book.note(record('c1', { discovered: at(0, now), staged: at(0, now) }, 'staged'), now);
    book.note(record('c1', { discovered: at(0, now), staged: at(0, now), uploaded: at(0, now) }, 'uploaded'), now);
    book.note(record('c2', { discovered: at(2, now), failed: at(1, now) }, 'failed'), now);
    book.note(record('c3', { discovered: at(20, now), rejected: at(20, now) }, 'rejected'), now);
    const days = book.counts(now);
    expect(days).toHaveLength(14);
    expect(days.at(-1)).toEqual({ date: '2026-11-22', received: 1, uploaded: 1, rejected: 0, failed: 0 });
    expect(days.at(-2)).toEqual({ date: '2026-11-21', received: 0, uploaded: 0, rejected: 0, failed: 1 });
    expect(days.at(-3)).toMatchObject({ received: 1 });
    expect(days.reduce((sum, day) => sum + day.rejected, 0)).toBe(0);
    expect(book.creativesToday(now).map((each) => [each.key, each.state])).toEqual([['c1', 'uploaded']]);
  });
});

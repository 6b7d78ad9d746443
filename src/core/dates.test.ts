import { describe, expect, it } from 'vitest';
import { forPeople, localDate } from './dates.js';

describe('forPeople', () => {
  it('gives one local format for every moment people read, ISO left to files', () => {
    const at = new Date(2026, 11, 1, 23, 5, 9);
    expect(forPeople(at)).toBe('2026-12-01 23:05:09');
    expect(forPeople(at.toISOString())).toBe('2026-12-01 23:05:09');
    expect(forPeople(at).startsWith(localDate(at))).toBe(true);
    expect(forPeople('not a date')).toBe('not a date');
  });
});

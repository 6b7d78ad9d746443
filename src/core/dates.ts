const pad = (n: number): string => String(n).padStart(2, '0');

/** YYYY-MM-DD in local time: the day the team would call it. */
export function localDate(date: Date | string = new Date()): string {
  const at = typeof date === 'string' ? new Date(date) : date;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** YYYYMMDD_HHMMSS in local time, as the origin's file names have it. */
export function localStamp(date = new Date()): string {
  return `${localDate(date).replaceAll('-', '')}_${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** {@link localStamp} with milliseconds, for files written several times a second. */
export function localStampMs(date = new Date()): string {
  return `${localStamp(date)}_${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * A moment as people read it, everywhere we show one (`status`, the dashboard, the report, the
 * terminal's log): `2026-12-01 23:55:00` in local time. Files keep ISO 8601.
 */
export function forPeople(date: Date | string): string {
  const at = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(at.getTime())) return String(date);
  return `${localDate(at)} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** When a local date (YYYY-MM-DD) began, as an ISO instant: what a record touched that day shows a time at or after. */
export function localDayStart(date: string): string {
  return new Date(`${date}T00:00:00`).toISOString();
}

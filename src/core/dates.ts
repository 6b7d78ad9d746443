const pad = (n: number): string => String(n).padStart(2, '0');

/** YYYY-MM-DD in local time: the day the team would call it. */
export function localDate(date = new Date()): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** YYYYMMDD_HHMMSS in local time, as the origin's file names have it. */
export function localStamp(date = new Date()): string {
  return `${localDate(date).replaceAll('-', '')}_${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

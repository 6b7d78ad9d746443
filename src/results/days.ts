/**
 * The platforms' reporting days. TJ counts its days in US Eastern time, and its dashboard's figures
 * match ours only when ours are counted the same way; ExoClick's zone for daily rows is unsure
 * (STATS-CONTRACT), so one zone serves both and a day means the same on either.
 */
export const REPORTING_ZONE = 'America/New_York';

const FORMAT = new Intl.DateTimeFormat('en-CA', {
  timeZone: REPORTING_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The reporting day (`YYYY-MM-DD`) a moment falls on. */
export function reportingDay(at: Date): string {
  return FORMAT.format(at);
}

/** `count` days ending with `last` (`YYYY-MM-DD`), oldest first. */
export function daysBefore(last: string, count: number): string[] {
  const end = Date.parse(`${last}T12:00:00Z`);
  return Array.from({ length: count }, (_, n) =>
    new Date(end - (count - 1 - n) * 86_400_000).toISOString().slice(0, 10),
  );
}

/** Whether `text` is a calendar day as `YYYY-MM-DD`. */
export function isDay(text: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(text) &&
    !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
    new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)
  );
}

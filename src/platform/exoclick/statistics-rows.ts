import { CreativeFlowError } from '../../core/errors.js';

/**
 * Reading the rows of `POST /v2/statistics/a/global` (STATS-CONTRACT.md) strictly: a row we
 * cannot read whole is an error of the fetch, never skipped, since a skipped row would be figures
 * silently lost. Where the contract knows two shapes (the date as `{date}` or as a plain string),
 * both are read.
 */

/** One variation's figures for one day, as one row gave them. */
export interface StatisticsRow {
  /** `YYYY-MM-DD`. */
  readonly day: string;
  /** The campaign variation's `idvariation`. */
  readonly variationId: string;
  readonly impressions: number;
  readonly clicks: number;
  /** US dollars (not cents, unlike campaign prices elsewhere in the API). */
  readonly cost: number;
  /** `goals.total`: every goal's conversions. */
  readonly goalsTotal: number;
  /** `goals.data[<goal id>].volume`, by goal id. */
  readonly goals: ReadonlyMap<string, number>;
}

/** A statistics answer that does not read as the contract says: the fetch fails rather than count it wrong. */
export class ExoStatisticsAnswerError extends CreativeFlowError {
  constructor(detail: string) {
    super(`ExoClick's statistics answer could not be read: ${detail}`, {
      hint: 'No figures of this fetch were kept; the last good ones stay. If it goes on, ExoClick may have changed its statistics answer: compare it with STATS-CONTRACT.md.',
    });
  }
}

/**
 * The rows of one page. `dayAsked` is the page's one day when the call did not group by date (the
 * fallback of one call a day): a row that names another day is an error, not moved.
 */
export function statisticsRows(answer: unknown, dayAsked?: string): StatisticsRow[] {
  const result = isRecord(answer) ? answer.result : undefined;
  // PHP encodes an empty list as `[]` and may encode a keyed one as an object: both are read.
  const rows = Array.isArray(result) ? result : isRecord(result) ? Object.values(result) : undefined;
  if (rows === undefined) throw new ExoStatisticsAnswerError('it has no "result" list');
  return rows.map((row, index) => readRow(row, index, dayAsked));
}

function readRow(row: unknown, index: number, dayAsked: string | undefined): StatisticsRow {
  const where = `row ${index + 1}`;
  if (!isRecord(row) || !isRecord(row.group_by))
    throw new ExoStatisticsAnswerError(`${where} has no "group_by" object`);
  const variationId = idOf(row.group_by.variation_id);
  if (variationId === undefined) throw new ExoStatisticsAnswerError(`${where} has no group_by.variation_id.id`);
  const day = dayOf(row.group_by.date) ?? dayAsked;
  if (day === undefined) throw new ExoStatisticsAnswerError(`${where} (variation ${variationId}) has no group_by.date`);
  if (dayAsked !== undefined && day !== dayAsked)
    throw new ExoStatisticsAnswerError(`${where} is for ${day}, in a call for ${dayAsked} alone`);
  const figure = (value: unknown, name: string): number => {
    const number = figureOf(value);
    if (number === undefined)
      throw new ExoStatisticsAnswerError(
        `${where} (variation ${variationId}, ${day}) has "${name}" ${JSON.stringify(value)}, not a number`,
      );
    return number;
  };
  const goals = row.goals === undefined || row.goals === null ? {} : row.goals;
  if (!isRecord(goals)) throw new ExoStatisticsAnswerError(`${where} has "goals" that is not an object`);
  const byGoal = new Map<string, number>();
  // An empty `data` comes as `[]` from PHP; a list with entries would have lost its goal ids.
  const data =
    goals.data === undefined || goals.data === null || (Array.isArray(goals.data) && goals.data.length === 0)
      ? {}
      : goals.data;
  if (!isRecord(data)) throw new ExoStatisticsAnswerError(`${where} has goals.data that is not keyed by goal id`);
  for (const [goalId, goal] of Object.entries(data))
    byGoal.set(goalId, figure(isRecord(goal) ? goal.volume : goal, `goals.data.${goalId}.volume`));
  return {
    day,
    variationId,
    impressions: figure(row.impressions, 'impressions'),
    clicks: figure(row.clicks, 'clicks'),
    cost: figure(row.cost, 'cost'),
    goalsTotal: figure(goals.total, 'goals.total'),
    goals: byGoal,
  };
}

/** `{id: N}` as the contract gives it, or the bare id. */
function idOf(value: unknown): string | undefined {
  const id = isRecord(value) ? value.id : value;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return typeof id === 'string' && /^\d+$/.test(id.trim()) ? id.trim() : undefined;
}

/** `{date: 'YYYY-MM-DD'}` or the plain string; a time after the day (`2024-05-01 00:00:00`) is left off. */
function dayOf(value: unknown): string | undefined {
  const text = isRecord(value) ? value.date : value;
  if (typeof text !== 'string') return undefined;
  return /^(\d{4}-\d{2}-\d{2})(?:$|[ T])/.exec(text.trim())?.[1];
}

/** A figure: a number, or its digits in a string; absent (or null) is none, so 0. */
function figureOf(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

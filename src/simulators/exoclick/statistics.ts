import type { IncomingMessage, ServerResponse } from 'node:http';
import { json } from '../http.js';
import type { ExoCounters } from './counters.js';
import { dropAfterKeeping, serveFaultBeforeKeeping, type FaultPlan } from './faults.js';
import type { ExoSimulatorOptions } from './options.js';
import type { RateLimiter } from './rate-limit.js';
import { fail, idOf, isRecord, jsonBody } from './request.js';
import type { ExoStatisticsFigures, FiguresEntry } from './statistics-figures.js';

/**
 * `POST /v2/statistics/a/global` as STATS-CONTRACT.md gives it: `filter` (`date_from`, `date_to`,
 * `campaign_id`, `variation_id`), `group_by` (at most 4 keys; the simulator models `date`,
 * `campaign_id` and `variation_id`), `limit` and `offset`, `include_deleted`, `totals`. Rows are
 * `{group_by: {key: {id|date}}, impressions, clicks, cost, ctr, goals: {total, data}}`. The date
 * comes as an object or a string, and date with variation may be refused, as the options pick.
 */

/** Largest statistics page: public clients ask up to 5000. */
export const MAX_STATISTICS_LIMIT = 5_000;
/** Calls whose request `/_sim/state` names, for a test to see how it was asked; all are counted. */
const MAX_CALLS_KEPT = 10_000;
const MODELLED: ReadonlySet<string> = new Set(['date', 'campaign_id', 'variation_id']);
/** Keys the contract names that the simulator has no figures for: a 400 that says so, not rows without them. */
const NOT_MODELLED: ReadonlySet<string> = new Set([
  'zone_id',
  'site_id',
  'country',
  'hour',
  'os',
  'browser',
  'device',
  'carrier',
  'language',
]);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A statistics call as `/_sim/state` shows it. */
export interface StatisticsCall {
  readonly groupBy: readonly string[];
  readonly dateFrom: string;
  readonly dateTo: string;
  readonly limit: number;
  readonly offset: number;
  readonly includeDeleted: boolean;
}

/** What `/_sim/state` shows of the statistics route. */
export interface StatisticsState {
  /** Requests that reached the route (its bucket's 429s are counted in `rateLimited`, not here). */
  requests: number;
  /** Calls answered with rows, each as it asked. */
  calls: StatisticsCall[];
  /** Calls refused for grouping by date and variation together (`statisticsDateWithVariation: false`). */
  refusedGroupings: number;
  /** 429s of the statistics bucket, over its limit or planned. */
  rateLimited: number;
  /** Requests that came after a statistics 429 before that window reset. */
  tooEarly: number;
}

interface Query {
  readonly call: StatisticsCall;
  readonly campaignIds: ReadonlySet<number> | undefined;
  readonly variationIds: ReadonlySet<number> | undefined;
  readonly totals: boolean;
}

/** Figures summed; cost in millionths of a dollar, so sums are exact. */
interface Sum {
  impressions: number;
  clicks: number;
  costMicros: number;
  readonly goals: Map<string, number>;
}

export class ExoStatisticsRoute {
  private requests = 0;
  private refusedGroupings = 0;
  private rateLimited = 0;
  private readonly calls: StatisticsCall[] = [];

  constructor(
    private readonly figures: ExoStatisticsFigures,
    /** The statistics bucket's own limiter. */
    readonly limiter: RateLimiter,
    private readonly faults: FaultPlan,
    private readonly counters: ExoCounters,
    private readonly options: () => ExoSimulatorOptions,
  ) {}

  get state(): StatisticsState {
    return {
      requests: this.requests,
      calls: [...this.calls],
      refusedGroupings: this.refusedGroupings,
      rateLimited: this.rateLimited,
      tooEarly: this.limiter.tooEarly,
    };
  }

  /** The bucket refused a request before it reached the route: counted here, answered by the server. */
  countRateLimited(): void {
    this.rateLimited += 1;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests += 1;
    const fate = this.faults.next();
    if (fate !== 'ok') {
      req.resume();
      if (fate === 'rate-limited') this.rateLimited += 1;
      if (fate === 'dropped-after-kept') return dropAfterKeeping(res, this.counters);
      if (serveFaultBeforeKeeping(res, fate, this.counters, this.limiter)) return;
    }
    const body = await jsonBody(req, res);
    if (!body) return;
    const query = this.queryOf(body.value);
    if (typeof query === 'string') return fail(res, 400, query);
    if (
      !this.options().statisticsDateWithVariation &&
      query.call.groupBy.includes('date') &&
      query.call.groupBy.includes('variation_id')
    ) {
      this.refusedGroupings += 1;
      return fail(res, 400, 'Grouping by date and variation_id in the same request is not allowed.');
    }
    if (this.calls.length < MAX_CALLS_KEPT) this.calls.push(query.call);
    const groups = this.groups(query);
    const rows = groups
      .slice(query.call.offset, query.call.offset + query.call.limit)
      .map((group) => this.row(group, query.call.groupBy));
    const answer: Record<string, unknown> = { result: rows };
    if (query.totals) answer.totals = figuresOf(groups.reduce((total, group) => merge(total, group.sum), newSum()));
    json(res, 200, answer);
  }

  /** The request, checked; the reason for a 400, as a string. */
  private queryOf(value: unknown): Query | string {
    if (!isRecord(value)) return 'The body must be a JSON object.';
    const filter = value.filter;
    if (!isRecord(filter)) return '"filter" with "date_from" and "date_to" is required.';
    const [from, to] = [filter.date_from, filter.date_to];
    if (typeof from !== 'string' || !DAY.test(from) || typeof to !== 'string' || !DAY.test(to))
      return '"filter.date_from" and "filter.date_to" must be dates as YYYY-MM-DD.';
    if (from > to) return '"filter.date_from" must not be after "filter.date_to".';
    const groupBy = value.group_by;
    if (
      !Array.isArray(groupBy) ||
      groupBy.length === 0 ||
      groupBy.length > 4 ||
      !groupBy.every((key): key is string => typeof key === 'string')
    )
      return '"group_by" must be an array of 1 to 4 keys.';
    const unknown = groupBy.find((key) => !MODELLED.has(key));
    if (unknown !== undefined)
      return NOT_MODELLED.has(unknown)
        ? `The simulator has no figures by "${unknown}"; it groups by date, campaign_id and variation_id.`
        : `Unknown group_by key "${unknown}".`;
    if (new Set(groupBy).size !== groupBy.length) return '"group_by" lists a key twice.';
    const limit = value.limit ?? 50;
    const offset = value.offset ?? 0;
    if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_STATISTICS_LIMIT)
      return `"limit" must be an integer from 1 to ${MAX_STATISTICS_LIMIT}.`;
    if (!Number.isInteger(offset) || (offset as number) < 0) return '"offset" must be an integer of 0 or more.';
    const campaignIds = idsOf(filter.campaign_id);
    const variationIds = idsOf(filter.variation_id);
    if (campaignIds === null || variationIds === null)
      return '"filter.campaign_id" and "filter.variation_id" must be arrays of ids.';
    const includeDeleted = [true, 1, '1', 'true'].includes(value.include_deleted as string);
    const call: StatisticsCall = {
      groupBy,
      dateFrom: from,
      dateTo: to,
      limit: limit as number,
      offset: offset as number,
      includeDeleted,
    };
    return { call, campaignIds, variationIds, totals: [true, 1, '1', 'true'].includes(value.totals as string) };
  }

  /** The figures summed per group (each with its first entry, for the keys it is grouped by), in the order of the grouping's keys. */
  private groups(query: Query): { key: FiguresEntry; sum: Sum }[] {
    const groups = new Map<string, { key: FiguresEntry; sum: Sum }>();
    const keyOf = (entry: FiguresEntry): (string | number)[] =>
      query.call.groupBy.map((by) =>
        by === 'date' ? entry.day : by === 'campaign_id' ? entry.campaignId : entry.variationId,
      );
    for (const entry of this.figures.entries(query.call.dateFrom, query.call.dateTo)) {
      if (entry.deleted && !query.call.includeDeleted) continue;
      if (query.campaignIds && !query.campaignIds.has(entry.campaignId)) continue;
      if (query.variationIds && !query.variationIds.has(entry.variationId)) continue;
      const id = keyOf(entry).join('\0');
      const group = groups.get(id) ?? { key: entry, sum: newSum() };
      const { impressions, clicks, cost, goals = {} } = entry.figures;
      merge(group.sum, {
        impressions,
        clicks,
        costMicros: Math.round(cost * 1e6),
        goals: new Map(Object.entries(goals)),
      });
      groups.set(id, group);
    }
    return [...groups.values()].sort((a, b) => compare(keyOf(a.key), keyOf(b.key)));
  }

  private row({ key, sum }: { key: FiguresEntry; sum: Sum }, groupBy: readonly string[]): Record<string, unknown> {
    const by: Record<string, unknown> = {};
    for (const name of groupBy) {
      if (name === 'date') by.date = this.options().statisticsDateShape === 'string' ? key.day : { date: key.day };
      if (name === 'campaign_id') by.campaign_id = { id: key.campaignId, name: key.campaignName };
      if (name === 'variation_id') by.variation_id = { id: key.variationId, name: key.variationName };
    }
    return { group_by: by, ...figuresOf(sum) };
  }
}

function figuresOf(sum: Sum): Record<string, unknown> {
  const cost = sum.costMicros / 1e6;
  const data = Object.fromEntries(
    [...sum.goals].map(([goal, volume]) => [
      goal,
      { volume, ecpa: volume > 0 ? Math.round((cost / volume) * 1e4) / 1e4 : 0 },
    ]),
  );
  const total = [...sum.goals.values()].reduce((a, b) => a + b, 0);
  const ctr = sum.impressions > 0 ? Math.round((sum.clicks / sum.impressions) * 1e4) / 100 : 0;
  return { impressions: sum.impressions, clicks: sum.clicks, cost, ctr, goals: { total, data } };
}

function newSum(): Sum {
  return { impressions: 0, clicks: 0, costMicros: 0, goals: new Map() };
}

function merge(sum: Sum, add: Sum): Sum {
  sum.impressions += add.impressions;
  sum.clicks += add.clicks;
  sum.costMicros += add.costMicros;
  for (const [goal, volume] of add.goals) sum.goals.set(goal, (sum.goals.get(goal) ?? 0) + volume);
  return sum;
}

/** Undefined when absent, null when not a list of ids. */
function idsOf(value: unknown): ReadonlySet<number> | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return null;
  const ids = value.map(idOf);
  return ids.every((id): id is number => id !== undefined) ? new Set(ids) : null;
}

function compare(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (const [index, left] of a.entries()) {
    const right = b[index] ?? '';
    if (left !== right) return left < right ? -1 : 1;
  }
  return 0;
}

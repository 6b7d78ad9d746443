/**
 * How the simulated reporting API (STATS-CONTRACT.md, "TrafficJunky's API") answers: where the
 * contract is unsure it can show each variant, and every fault is off by default.
 */
export interface SimReportingOptions {
  /** The account's API key: a call whose `api_key` is another (or none) meets {@link wrongKeyStatus}. */
  readonly apiKey: string;
  /** What `offset` counts: rows, pages from 0, or pages from 1 (0 being taken as 1), as the contract is unsure; or nothing (ignored: every page is the first). */
  readonly offsetCounts: 'rows' | 'pages' | 'pages-from-1' | 'ignored';
  /** The largest `limit` taken; more is cut to it, and no `limit` is this (the contract: 500 or 1000, unsure). */
  readonly maxLimit: number;
  /** The spend's name in the stats: `revenue` (the contract) or `cost` (some answers). */
  readonly spendField: 'revenue' | 'cost';
  /** Figures as texts (`"1234"`, `"12.5"`), as TJ may give them; else as numbers. */
  readonly numbersAsStrings: boolean;
  /** The stats list each of the campaign's ads, idle ones with zeros; else only those with a figure. */
  readonly listIdleAds: boolean;
  /** What a wrong key gets: a 401 or 403 with a `message`, or a 200 whose body is only the `message`. */
  readonly wrongKeyStatus: 200 | 401 | 403;
  /** Share (0–1) of calls answered 429. */
  readonly rateLimitRate: number;
  /** Share (0–1) of calls answered 503. */
  readonly serverErrorRate: number;
  /** Every call from this one on (counted from 1 over the reporting API's calls) is answered 500: an outage that lasts. */
  readonly failFromRequest: number | undefined;
  /** The `Retry-After` (seconds) a 429 carries; none unless given. */
  readonly retryAfterSeconds: number | undefined;
  /** Added to every reporting call, in ms. */
  readonly latencyMs: number;
  /** Seed of the random faults, so a run can be repeated. */
  readonly faultSeed: number;
}

/** A change of options while running; `rateLimitNext` and `serverErrorNext` fault the next calls, that many of each, before any other. */
export type SimReportingPatch = Partial<SimReportingOptions> & {
  readonly rateLimitNext?: number;
  readonly serverErrorNext?: number;
};

export const DEFAULT_SIM_REPORTING_OPTIONS: SimReportingOptions = {
  apiKey: 'sim-tj-api-key',
  offsetCounts: 'rows',
  maxLimit: 500,
  spendField: 'revenue',
  numbersAsStrings: true,
  listIdleAds: true,
  wrongKeyStatus: 401,
  rateLimitRate: 0,
  serverErrorRate: 0,
  failFromRequest: undefined,
  retryAfterSeconds: undefined,
  latencyMs: 0,
  faultSeed: 7,
};

export interface SimReportCampaign {
  readonly id: string;
  readonly name: string;
  /** As TJ words it (`active`, `paused`…): shown, never acted on. */
  readonly status: string;
}

export interface SimReportAd {
  readonly id: string;
  readonly name: string;
  readonly targetUrl: string;
  readonly spotId: string;
  readonly spotName: string;
}

/** One ad's figures for one day, as a test sets them: the spend in US dollars. */
export interface SimAdDayFigures {
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly cost: number;
}

/** One call the reporting API received: its path, its query without the key, and the status it got. */
export interface SimReportingCall {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Whether `api_key` was the account's. */
  readonly keyOk: boolean;
  /** When it arrived (ms since the epoch): the pace of a client shows in the gaps. */
  readonly at: number;
  status: number;
}

/** What `/_sim/reporting/state` shows. */
export interface SimReportingState {
  /** Calls received, faulted ones included. */
  readonly requests: number;
  /** Calls answered with data, by route. */
  readonly served: { campaigns: number; ads: number; stats: number };
  readonly rateLimited: number;
  readonly serverErrors: number;
  /** Calls refused for their key. */
  readonly refused: number;
  /** The first calls, in order (up to 10,000). */
  readonly calls: readonly SimReportingCall[];
}

/** `DD/MM/YYYY` (TJ's dates) as `YYYY-MM-DD`, or undefined for anything else, a day that does not exist included. */
export function dayOfTjDate(text: string | null): string | undefined {
  const [, date, month, year] = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text ?? '') ?? [];
  if (date === undefined || month === undefined || year === undefined) return undefined;
  const day = `${year}-${month}-${date}`;
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day ? day : undefined;
}

/** Each day from `from` to `to`, both `YYYY-MM-DD`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let time = Date.parse(`${from}T00:00:00Z`); time <= Date.parse(`${to}T00:00:00Z`); time += 86_400_000)
    days.push(new Date(time).toISOString().slice(0, 10));
  return days;
}

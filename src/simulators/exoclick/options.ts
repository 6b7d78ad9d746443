/**
 * How the ExoClick simulator behaves. It knows only EXO-CONTRACT.md: where that page marks a point
 * **unsure**, an option picks the variant, so a test can show the adapter each one. Every fault is
 * off by default; the firewall for bare clients is on, as the contract says the real one may be.
 */

/**
 * The fate of one upload (or variation-creating) request: answered normally; a 500 or 503 with a
 * plain-text body (nothing kept); kept, then the connection destroyed without an answer; the web
 * firewall's HTML page, 403 (nothing kept); a 429 that uses up the current rate-limit window
 * (nothing kept).
 */
export type ExoUploadFault = 'ok' | 'server-error' | 'dropped-after-kept' | 'firewall' | 'rate-limited';

/**
 * A fault struck at one request whatever its route, for fault sweeps (a fault may come at any
 * request, so a sweep strikes each in turn):
 * - 'session-expired': every live session token dies at that request, which then answers 401 as
 *   any request with a dead token does (a login carries none, and is answered as usual);
 * - 'server-error': a 500 or 503 with a plain-text body, nothing done;
 * - 'rate-limited': a 429 telling the client to wait `resetSeconds`, nothing done;
 * - 'dropped-after-kept': the request is handled as usual (an upload or a variation is kept, a
 *   landing page registered) and the connection dies where its answer would be; a read or a
 *   refused request changes nothing, so for it this is a connection dropped before any answer.
 */
export type ExoStrikeFault = 'session-expired' | 'server-error' | 'rate-limited' | 'dropped-after-kept';

export interface ExoStrike {
  /** The request struck: `/v2/` requests are numbered from 1 as they arrive (logins and reads too), as `requests` in the state counts them. */
  readonly at: number;
  readonly fault: ExoStrikeFault;
  /** `X-Rate-Limit-Reset` of a struck 429, in whole seconds (1 unless given): short, so a sweep stays fast. */
  readonly resetSeconds?: number;
}

export interface ExoSimulatorOptions {
  /** 0 = any free port. */
  port: number;
  host: string;
  /** The permanent API tokens `POST /v2/login` accepts. */
  apiTokens: readonly string[];
  /** `expires_in` of a session token; a token older than this answers 401. Read at each request, so changing it affects live tokens. */
  tokenTtlSeconds: number;
  /**
   * Which way of creating variations the account answers (the contract knows two).
   * 'multipart': `POST /v2/campaigns/{id}/variation` works and `PUT .../variations` answers 404;
   * 'json': the other way round.
   */
  variationShape: 'multipart' | 'json';
  /**
   * What `PUT .../variations` does with the variations it lists (the contract says only that an
   * entry without `idvariation` is created). 'merge': each listed one takes the fields sent, and
   * one left out stays. 'replace': the array is the campaign's whole list: one left out is deleted,
   * and a listed one keeps the fields the simulator does not model (its `extra`) only if they are
   * sent again, as a PUT that replaces would.
   */
  variationsPut: 'merge' | 'replace';
  /** `GET /v2/campaigns`: `result` as an array, or as an object keyed by campaign id. */
  campaignsResultShape: 'array' | 'object';
  /** `POST /v2/library/url` answers `{id, url}` or `[{id, url}]`. */
  urlResultShape: 'object' | 'array';
  /** Which hash of the bytes `file_hash_original` holds. Read when a file is answered, so changing it changes every file's. */
  fileHash: 'md5' | 'sha256';
  /** Requests per fixed window, the window starting with its first request. The old manual's figures by default. */
  rateLimit: { limit: number; windowSeconds: number };
  /**
   * `X-Rate-Limit-Reset` as the contract gives it, seconds until the window resets, or as some
   * APIs send it instead, the reset's Unix time in whole seconds (rounded up).
   */
  rateLimitReset: 'seconds' | 'epoch';
  /** Added before every `/v2/` answer, in ms. */
  latencyMs: number;
  /**
   * The fates of the first upload requests, in the order they arrive; after the plan, the random
   * rates below. Setting a new plan with `configure` starts it again from its first entry.
   */
  uploadFaultPlan: readonly ExoUploadFault[];
  /** The same for variation-creating requests (those that would create at least one variation). No random rates apply to them. */
  variationFaultPlan: readonly ExoUploadFault[];
  /** Share (0–1) of uploads after the plan answered 500/503. */
  errorRate: number;
  /** Share (0–1) of uploads after the plan kept and then dropped. */
  dropRate: number;
  /** Seed of those random faults, so a run can be repeated. */
  faultSeed: number;
  /** A regex on the uploaded file name: such uploads answer 422 `{"message": "..."}`, as a content review would. */
  rejectPattern: string | undefined;
  /** A request with no User-Agent, or Node's default one (starting 'node' or 'undici'), gets the firewall's HTML page (403) before anything else. */
  bareClientFirewall: boolean;
  /** Campaigns that exist at start (status 1, active). */
  campaigns: readonly { id: number; name: string }[];
  /** One fault at one numbered request, whatever its route, besides the plans and rates above. */
  strike: ExoStrike | undefined;
  /**
   * STATS-CONTRACT.md: statistics calls have a rate-limit bucket of their own. This is its window,
   * counted apart from `rateLimit` (which counts every other route, the login included).
   */
  statisticsRateLimit: { limit: number; windowSeconds: number };
  /** A statistics row's `group_by.date`: `{date: 'YYYY-MM-DD'}`, or the plain string some answers give (unsure). */
  statisticsDateShape: 'object' | 'string';
  /** Whether one statistics call may group by `date` and `variation_id` together (unsure): false answers 400 to such a call. */
  statisticsDateWithVariation: boolean;
  /**
   * The fates of the first statistics requests, in order, as `uploadFaultPlan` is for uploads (a
   * read keeps nothing, so 'dropped-after-kept' is a connection dropped before any answer).
   */
  statisticsFaultPlan: readonly ExoUploadFault[];
}

export const DEFAULT_EXO_SIMULATOR_OPTIONS: ExoSimulatorOptions = {
  port: 4781,
  host: '127.0.0.1',
  apiTokens: ['sim-exo-token'],
  tokenTtlSeconds: 3600,
  variationShape: 'json',
  variationsPut: 'merge',
  campaignsResultShape: 'array',
  urlResultShape: 'object',
  fileHash: 'md5',
  rateLimit: { limit: 150_000, windowSeconds: 900 },
  rateLimitReset: 'seconds',
  latencyMs: 0,
  uploadFaultPlan: [],
  variationFaultPlan: [],
  errorRate: 0,
  dropRate: 0,
  faultSeed: 1,
  rejectPattern: undefined,
  bareClientFirewall: true,
  campaigns: [
    { id: 5_100_001, name: 'Sim native campaign' },
    { id: 5_100_002, name: 'Sim in-stream campaign' },
  ],
  strike: undefined,
  statisticsRateLimit: { limit: 150_000, windowSeconds: 900 },
  statisticsDateShape: 'object',
  statisticsDateWithVariation: true,
  statisticsFaultPlan: [],
};

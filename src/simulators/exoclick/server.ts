import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { json, readText, seededRandom } from '../http.js';
import { ExoCampaigns, type ExoCampaignState, type PersonsVariation } from './campaigns.js';
import { newCounters } from './counters.js';
import { FaultPlan, RequestStrikes, serveFirewall, serveStrike } from './faults.js';
import { ExoLibrary } from './library.js';
import { DEFAULT_EXO_SIMULATOR_OPTIONS, type ExoSimulatorOptions } from './options.js';
import { RateLimiter } from './rate-limit.js';
import { fail, isRecord, jsonBody } from './request.js';
import { ExoSessions } from './sessions.js';
import { ExoStatisticsRoute, type StatisticsState } from './statistics.js';
import { ExoStatisticsFigures, type VariationDayFigures } from './statistics-figures.js';
import { ExoVariationRoutes } from './variations.js';

/** Writes whose route `/_sim/state` names: a fault sweep's flows make a few dozen at most. */
const MAX_WRITES_KEPT = 10_000;

/** What `state()` and `GET /_sim/state` show: the library, the campaigns, and every request that reached them. */
export interface ExoSimState {
  files: { id: number; name: string; type: string; md5: string; sha256: string; size: number; status: number }[];
  /** Upload requests per file name (kept or not). */
  uploads: Record<string, number>;
  /** Upload requests per sha256 of the bytes. */
  uploadsByHash: Record<string, number>;
  /** Uploads whose same name AND same bytes were already kept: must stay empty. */
  resent: Record<string, number>;
  logins: { accepted: number; refused: number };
  /** Faults served; `firewall` counts bare clients' pages too. */
  faults: { serverErrors: number; dropped: number; firewall: number; rateLimited: number };
  /** Requests that arrived after a 429 before that window reset (a client that does not wait). */
  tooEarly: number;
  /** `creates`: how many variations of that library file the campaign holds. */
  campaigns: ExoCampaignState[];
  /** Variation-creating requests that created something. */
  variationCreates: number;
  /** `/v2/` requests so far, each answered or dropped: the numbers a strike is given by. */
  requests: number;
  /**
   * Every `/v2/` request other than a GET or the login, as method and path, in order, whatever it
   * was answered (a 404 or a 429 too): a write that reached the API, or could have. The first
   * {@link MAX_WRITES_KEPT} are named; `writeCount` counts them all.
   */
  writes: string[];
  writeCount: number;
  /** `POST /v2/statistics/a/global`: its requests, the calls it answered, its refusals and its own bucket's 429s. */
  statistics: StatisticsState;
}

/** A `/v2/` request as it arrives, before anything answers it. */
export interface ArrivingRequest {
  readonly method: string;
  readonly path: string;
  /** Its number, as `requests` counts them. */
  readonly number: number;
}

export interface RunningExoSimulator {
  /** e.g. http://127.0.0.1:45123 — the API base is `${url}/v2/`. */
  readonly url: string;
  state(): ExoSimState;
  /** Changes options while it runs; a new fault plan starts from its first entry. */
  configure(patch: Partial<ExoSimulatorOptions>): void;
  /** A review happened: the file's `status` (0 in review, 1 approved, 2 rejected, by the simulator's guess). Throws for an unknown file. */
  setStatus(fileId: number, status: number): void;
  /**
   * Calls `listener` with each `/v2/` request as it arrives, before it is handled: a test acts
   * between two of a client's requests (a person's change meanwhile) without timing anything.
   */
  onRequest(listener: (request: ArrivingRequest) => void): void;
  /** A person adds a variation in ExoClick's web interface (not an API request, not a write counted): its `idvariation`. */
  addVariationByPerson(campaignId: number, fields: PersonsVariation): number;
  /** A person deletes a variation in ExoClick's web interface. */
  removeVariationByPerson(campaignId: number, idvariation: number): void;
  /**
   * Sets (not adds) what the statistics route reports for a variation on a day (`YYYY-MM-DD`);
   * `POST /_sim/variation-stats` `{variationId, day, impressions, clicks, cost, goals}` does the
   * same. A variation deleted afterwards keeps its figures. Throws for a variation no campaign
   * holds and that has none yet.
   */
  setVariationStats(variationId: number, day: string, figures: VariationDayFigures): void;
  close(): Promise<void>;
}

/** Node's fetch and http send these (or nothing): the bare client the contract's firewall may refuse. */
function bareClient(req: IncomingMessage): boolean {
  const agent = (req.headers['user-agent'] ?? '').trim().toLowerCase();
  return agent === '' || agent.startsWith('node') || agent.startsWith('undici');
}

/**
 * A local stand-in for ExoClick's API v2, built from EXO-CONTRACT.md alone, for the adapter's
 * tests and the demo. It does what the contract says ExoClick does (session tokens that expire,
 * JSON everywhere but uploads, rate-limit headers on every answer, a second upload of the same
 * bytes making a second file), shows each **unsure** variant as an option, and injects the
 * faults a client must survive: 5xx, a connection dropped after the file was kept, the
 * firewall's HTML page, 429s, by plan, at random, or struck at the Nth request (for fault
 * sweeps). It keeps no bytes: a file is its name, size, hashes and type. The statistics route
 * (STATS-CONTRACT.md) reports the figures a test sets per variation and day, in a rate-limit
 * bucket of its own.
 */
export async function startExoSimulator(initial: Partial<ExoSimulatorOptions> = {}): Promise<RunningExoSimulator> {
  let options: ExoSimulatorOptions = { ...DEFAULT_EXO_SIMULATOR_OPTIONS, ...initial };
  const current = (): ExoSimulatorOptions => options;
  const counters = newCounters();
  const limiter = new RateLimiter(current);
  const sessions = new ExoSessions(() => options.tokenTtlSeconds);
  const library = new ExoLibrary(
    current,
    counters,
    limiter,
    new FaultPlan(current, (o) => o.uploadFaultPlan, seededRandom(options.faultSeed)),
  );
  const campaigns = new ExoCampaigns(library, current);
  campaigns.seed(options.campaigns);
  const variations = new ExoVariationRoutes(
    campaigns,
    library,
    counters,
    limiter,
    new FaultPlan(current, (o) => o.variationFaultPlan),
    current,
  );
  const figures = new ExoStatisticsFigures(campaigns);
  // STATS-CONTRACT.md: statistics calls have a rate-limit bucket of their own, counted apart.
  const statistics = new ExoStatisticsRoute(
    figures,
    new RateLimiter(current, (o) => o.statisticsRateLimit),
    new FaultPlan(current, (o) => o.statisticsFaultPlan),
    counters,
    current,
  );
  const limiterOf = (url: URL): RateLimiter =>
    url.pathname.startsWith('/v2/statistics/') ? statistics.limiter : limiter;
  const strikes = new RequestStrikes(current);
  const writes: string[] = [];
  let writeCount = 0;
  const listeners: ((request: ArrivingRequest) => void)[] = [];

  const state = (): ExoSimState => ({
    files: library.all.map(({ id, name, type, md5, sha256, size, status }) => ({
      id,
      name,
      type,
      md5,
      sha256,
      size,
      status,
    })),
    uploads: Object.fromEntries(counters.uploads),
    uploadsByHash: Object.fromEntries(counters.uploadsByHash),
    resent: Object.fromEntries(counters.resent),
    logins: { ...counters.logins },
    faults: { ...counters.faults },
    tooEarly: limiter.tooEarly,
    campaigns: campaigns.state,
    variationCreates: counters.variationCreates,
    requests: strikes.count,
    writes: [...writes],
    writeCount,
    statistics: statistics.state,
  });

  /** Numbers a `/v2/` request, names it if it may write, and tells the listeners; the strike planned for it, if any. */
  const arrive = (req: IncomingMessage, url: URL): ReturnType<RequestStrikes['next']> => {
    const strike = strikes.next();
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    // A statistics POST only reads: it is no write.
    if (method !== 'GET' && method !== 'HEAD' && path !== '/v2/login' && !path.startsWith('/v2/statistics/')) {
      writeCount += 1;
      if (writes.length < MAX_WRITES_KEPT) writes.push(`${method} ${path}`);
    }
    for (const listener of listeners) listener({ method, path, number: strikes.count });
    return strike;
  };

  /** `POST /v2/login` `{api_token}`: a session token, or 401 for a token it does not know (never echoed). */
  const login = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await jsonBody(req, res);
    if (!body) return;
    const token = isRecord(body.value) ? body.value.api_token : undefined;
    if (typeof token !== 'string' || !options.apiTokens.includes(token)) {
      counters.logins.refused += 1;
      return fail(res, 401, 'Invalid API token.');
    }
    counters.logins.accepted += 1;
    json(res, 200, { token: sessions.open(), type: 'Bearer', expires_in: options.tokenTtlSeconds });
  };

  /** The API behind the firewall and the rate limit: login, then every route with a live session. */
  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
    if (route === 'POST /v2/login') return login(req, res);
    if (!sessions.alive(req.headers.authorization))
      return fail(res, 401, 'Unauthorized: a missing, unknown or expired session token. Log in again.');
    switch (route) {
      case 'POST /v2/library/file':
        return library.upload(req, res);
      case 'GET /v2/library/file':
        return library.list(res, url);
      case 'POST /v2/library/url':
        return library.registerUrl(req, res);
      case 'GET /v2/campaigns':
        return campaigns.list(res, url);
      case 'POST /v2/statistics/a/global':
        return statistics.handle(req, res);
    }
    const [, method, id, rest] = /^(\w+) \/v2\/campaigns\/(\d+)(\/variations?)?$/.exec(route) ?? [];
    const shape = options.variationShape;
    const known =
      (method === 'GET' && rest === undefined) ||
      (method === 'POST' && rest === '/variation' && shape === 'multipart') ||
      (method === 'PUT' && rest === '/variations' && shape === 'json');
    if (!known) return fail(res, 404, `No route ${route}.`);
    const campaign = campaigns.get(Number(id));
    if (!campaign) {
      req.resume();
      return fail(res, 404, `Campaign ${id} not found.`);
    }
    if (rest === undefined) return campaigns.detail(res, campaign);
    return rest === '/variation'
      ? variations.createMultipart(req, res, campaign)
      : variations.putJson(req, res, campaign);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (req.method === 'GET' && url.pathname === '/_sim/state') return json(res, 200, state());
    if (req.method === 'POST' && url.pathname === '/_sim/variation-stats') return setStatsByRequest(req, res);
    if (options.latencyMs > 0) await delay(options.latencyMs);
    // Numbered before anything else answers it, so a strike's number is the client's Nth request whatever it meets.
    const strike = url.pathname.startsWith('/v2/') ? arrive(req, url) : undefined;
    const bucket = limiterOf(url);
    if (strike && serveStrike(req, res, strike, { counters, limiter: bucket, sessions })) return;
    // The firewall stands before the API: it answers before the limit counts the request, but still with the window's headers.
    if (options.bareClientFirewall && bareClient(req)) {
      req.resume();
      bucket.peek(res);
      return serveFirewall(res, counters);
    }
    if (bucket.admit(res)) {
      req.resume();
      if (bucket === statistics.limiter) statistics.countRateLimited();
      return fail(res, 429, 'Too many requests. Wait for X-Rate-Limit-Reset seconds.');
    }
    if (!url.pathname.startsWith('/v2/')) {
      req.resume();
      return fail(res, 404, `No route ${req.method} ${url.pathname}.`);
    }
    return api(req, res, url);
  };

  /** `POST /_sim/variation-stats`: a test's figures over HTTP (the demo, another process); 400 with the reason for figures it cannot take. */
  const setStatsByRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const body = JSON.parse(await readText(req)) as {
        variationId?: unknown;
        day?: unknown;
      } & Partial<VariationDayFigures>;
      if (typeof body.variationId !== 'number' || typeof body.day !== 'string')
        throw new Error('"variationId" (a number) and "day" (YYYY-MM-DD) are required');
      figures.set(body.variationId, body.day, {
        impressions: body.impressions ?? 0,
        clicks: body.clicks ?? 0,
        cost: body.cost ?? 0,
        goals: body.goals ?? {},
      });
      json(res, 200, { ok: true });
    } catch (error) {
      fail(res, 400, (error as Error).message);
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { message: (error as Error).message });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    state,
    configure(patch) {
      options = { ...options, ...patch };
    },
    setStatus: (fileId, status) => library.setStatus(fileId, status),
    onRequest: (listener) => void listeners.push(listener),
    addVariationByPerson: (campaignId, fields) => campaigns.addByPerson(campaignId, fields),
    removeVariationByPerson: (campaignId, idvariation) => campaigns.removeByPerson(campaignId, idvariation),
    setVariationStats: (variationId, day, dayFigures) => figures.set(variationId, day, dayFigures),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

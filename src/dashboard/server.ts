import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { isJobName, jobSends, runJob } from '../api/job-requests.js';
import { dashboardCookieName, dashboardCookieSecret, dashboardUrl, tokenMatches } from '../api/token.js';
import { localDate } from '../core/dates.js';
import { CreativeFlowError, describeError, ShutdownError } from '../core/errors.js';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { Jobs } from '../jobs/jobs.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { CLIENT_SCRIPT } from './client-script.js';
import type { LiveState } from './live-state.js';
import { renderPage } from './page.js';

export interface DashboardDeps {
  readonly live: LiveState;
  readonly jobs: Jobs;
  readonly layout: Layout;
  readonly storage: StorageRepository;
  readonly log: Logger;
  readonly token: string;
  readonly dryRun: boolean;
  /** A creative's thumbnail (JPEG), when it has a picture. */
  readonly thumbnail: (key: string) => Promise<Buffer | undefined>;
  /** The daemon stopping: the jobs the API started are told, and it starts no other. */
  readonly stop?: AbortSignal;
}

export interface RunningDashboard {
  readonly port: number;
  /** The address to open, with the token. */
  readonly url: string;
  /** Waits up to `graceMs` for the jobs the API started (told by `stop`) to end; whether they all did. */
  jobsEnded(graceMs: number): Promise<boolean>;
  /** Ends the event streams and every connection: a job still running past its grace holds nothing. */
  close(): Promise<void>;
}

/** The page that takes the token from its address and gives the cookie; no other reads it there. */
const SWAP_PAGE = '/';
/** Changes arrive in bursts (a batch of files): the page gets the state at most this often. */
const PUSH_EVERY_MS = 250;
const HEARTBEAT_MS = 15_000;

/**
 * The dashboard and local API, on loopback only. Nothing is served without the token, a `Host`
 * other than this address is refused (DNS rebinding), and jobs are POSTs whose token is in a
 * header. The address the daemon prints carries the token to the page only, which swaps it for a
 * cookie of its own: a browser sends 127.0.0.1's cookies to every port of it, so the cookie holds
 * a secret made at this start (not the token), opens the dashboard's reads only, and is named
 * after this port.
 */
export async function startDashboard(deps: DashboardDeps, port: number): Promise<RunningDashboard> {
  // Connections are closed whatever they wait for: close comes after the API's jobs had their grace.
  const app = Fastify({ logger: false, bodyLimit: 1 << 20, forceCloseConnections: true });
  // Open event streams: ended on close, or the server would wait for every open tab to go away.
  const streams = new Set<ServerResponse>();
  const running = new Set<Promise<unknown>>();
  const cookie = { name: '', secret: dashboardCookieSecret() };
  let allowedHosts = new Set<string>();
  /** The token itself: in a header anywhere, or in the address of the page that swaps it. */
  const carriesToken = (request: FastifyRequest): boolean =>
    tokenMatches(deps.token, headerToken(request)) ||
    (reads(request) && pathOf(request) === SWAP_PAGE && tokenMatches(deps.token, queryToken(request)));
  // Chart.js's browser build sits beside its module entry; its exports do not name it.
  const chartJs = await deps.storage.readText(
    path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'),
  );

  // Script runs only from this origin's own files, and none at all on a report page: a value that
  // slipped through escaping could not run beside the token.
  app.addHook('onSend', async (request, reply) => {
    // No page passes its address (the swap page's carries the token) to what it links to.
    reply
      .header('content-security-policy', request.url.startsWith('/report') ? REPORT_POLICY : PAGE_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!allowedHosts.has(request.headers.host ?? ''))
      return reply.code(421).type('text/plain').send('This dashboard answers only on its own loopback address.');
    if (carriesToken(request)) return undefined;
    if (reads(request) && tokenMatches(cookie.secret, cookieValue(request, cookie.name))) return undefined;
    return reply
      .code(401)
      .type('text/plain')
      .send('Open the address the daemon printed at start-up: it carries the token (also in data/dashboard.token).');
  });

  app.get(SWAP_PAGE, async (request, reply) => {
    // The token buys the cookie, and the page gets it for its buttons (its script keeps it in this
    // tab and drops it from the address bar); a page opened by the cookie alone gets no token.
    const withToken = carriesToken(request);
    if (withToken)
      void reply.header('set-cookie', `${cookie.name}=${cookie.secret}; HttpOnly; SameSite=Strict; Path=/`);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderPage({ root: deps.layout.root, token: withToken ? deps.token : '', dryRun: deps.dryRun }));
  });
  app.get('/assets/chart.js', async (_request, reply) => reply.type('text/javascript').send(chartJs ?? ''));
  app.get('/assets/dashboard.js', async (_request, reply) => reply.type('text/javascript').send(CLIENT_SCRIPT));
  app.get('/api/state', async () => deps.live.snapshot());
  // Stored figures only: reading them asks no platform anything.
  app.get('/api/results', async () => deps.jobs.results());
  app.get('/events', (request, reply) => streamState(request, reply, deps.live, streams));

  app.get<{ Params: { name: string } }>('/screenshots/:name', async (request, reply) => {
    const { name } = request.params;
    const bytes = /^[\w.-]+\.png$/.test(name)
      ? await deps.storage.readBytes(deps.layout.screenshotNamed(name))
      : undefined;
    return bytes ? reply.type('image/png').send(bytes) : reply.code(404).send({ error: 'no such screenshot' });
  });
  app.get<{ Params: { key: string } }>('/thumbnails/:key', async (request, reply) => {
    const jpeg = /^c\d+$/.test(request.params.key)
      ? await deps.thumbnail(request.params.key).catch(() => undefined)
      : undefined;
    return jpeg
      ? reply.type('image/jpeg').header('cache-control', 'private, max-age=300').send(jpeg)
      : reply.code(404).send({ error: 'no picture' });
  });
  app.get<{ Querystring: { date?: string } }>('/report', async (request, reply) => {
    const date = /^\d{4}-\d{2}-\d{2}$/.test(request.query.date ?? '') ? (request.query.date ?? '') : localDate();
    const html = await deps.storage.readText(deps.layout.reportFile(date, 'html'));
    return html
      ? reply.type('text/html; charset=utf-8').send(html)
      : reply.code(404).type('text/plain').send(`No report for ${date} yet.`);
  });

  app.post<{ Params: { job: string } }>('/api/jobs/:job', async (request, reply) => {
    const { job } = request.params;
    if (!isJobName(job))
      return reply.code(404).send({ error: `no job ${job}`, plain: `No job named "${job}".`, expected: true });
    const body = (request.body ?? {}) as Record<string, unknown>;
    // A job that sends runs only in the mode it was asked for; without one (a dashboard button), in the daemon's.
    if (jobSends(job) && body.dryRun === false && deps.dryRun) {
      return reply.code(409).send({
        error: 'dry run',
        plain:
          'The daemon on this root runs as a dry run, so it will not send anything for --live. Restart it live (DRY_RUN=false or `start --live`), or stop it and run the command alone.',
        expected: true,
      });
    }
    if (jobSends(job) && body.dryRun === true && !deps.dryRun) {
      return reply.code(409).send({
        error: 'live',
        plain:
          'The daemon on this root runs live, and this was asked as a dry run: the daemon would really send it. Add --live (or DRY_RUN=false) to send, or stop the daemon and run the command alone to see the dry run.',
        expected: true,
      });
    }
    if (deps.stop?.aborted)
      return reply.code(503).send({
        error: 'stopping',
        plain:
          'The daemon on this root is stopping, so it starts no new job. Run the command again once it has stopped (the command then does the job itself) or restarted.',
        expected: true,
      });
    const { dryRun: _dryRun, ...options } = body;
    deps.log.info({ job }, 'A job was asked for through the local API');
    const run = runJob(deps.jobs, job, options, deps.stop);
    // A stop waits for the job and for its answer to be sent: the server closes after both.
    const answered = new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));
    const settled = Promise.allSettled([run, answered]);
    running.add(settled);
    void settled.then(() => running.delete(settled));
    try {
      return { result: await run };
    } catch (error) {
      if (error instanceof ShutdownError) {
        deps.log.info({ job }, `The ${job} job asked through the local API stopped: the daemon is stopping`);
        return reply.code(503).send({
          error: 'stopped',
          plain: `The daemon on this root stopped before the ${job} job finished; what it had done is kept. Run the command again once the daemon is back, or stopped (the command then does the job itself).`,
          expected: true,
        });
      }
      deps.log.error({ err: error, job }, `The ${job} job asked through the local API failed: ${describeError(error)}`);
      return reply.code(error instanceof CreativeFlowError ? 422 : 500).send({
        error: (error as Error).message,
        plain: describeError(error),
        expected: error instanceof CreativeFlowError,
      });
    }
  });

  await app.listen({ host: '127.0.0.1', port });
  const bound = (app.server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`]);
  cookie.name = dashboardCookieName(bound);
  return {
    port: bound,
    url: dashboardUrl(bound, deps.token),
    jobsEnded: async (graceMs) => {
      const ended = Promise.allSettled([...running]).then(() => true);
      return Promise.race([ended, delay(graceMs, false, { ref: false })]);
    },
    close: async () => {
      for (const stream of streams) stream.end();
      await app.close();
    },
  };
}

const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** A daily report is one self-contained page: its own style and embedded thumbnails, and nothing else. */
const REPORT_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Server-sent events: the whole state now, then again after each change (at most every {@link PUSH_EVERY_MS}). */
function streamState(
  request: FastifyRequest,
  reply: FastifyReply,
  live: LiveState,
  streams: Set<ServerResponse>,
): void {
  void reply.hijack();
  const stream = reply.raw;
  streams.add(stream);
  stream.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  let timer: NodeJS.Timeout | undefined;
  const push = async (): Promise<void> => {
    timer = undefined;
    stream.write(`event: state\ndata: ${JSON.stringify(await live.snapshot())}\n\n`);
  };
  const soon = (): void => {
    timer ??= setTimeout(() => void push().catch(() => undefined), PUSH_EVERY_MS);
  };
  const stop = live.onChange(soon);
  const heartbeat = setInterval(() => stream.write(': still here\n\n'), HEARTBEAT_MS);
  request.raw.on('close', () => {
    streams.delete(stream);
    stop();
    clearInterval(heartbeat);
    clearTimeout(timer);
  });
  void push().catch(() => undefined);
}

function headerToken(request: FastifyRequest): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  const header = request.headers['x-creative-flow-token'];
  return bearer ?? (typeof header === 'string' ? header : undefined);
}

function queryToken(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
}

function reads(request: FastifyRequest): boolean {
  return request.method === 'GET' || request.method === 'HEAD';
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?', 1)[0] ?? '';
}

/** The value of the cookie `name`; the browser also sends the cookies of other ports' servers, under other names. */
function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

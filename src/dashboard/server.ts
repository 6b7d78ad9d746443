import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { isJobName, jobSends, runJob } from '../api/job-requests.js';
import { dashboardUrl, tokenMatches } from '../api/token.js';
import { localDate } from '../core/dates.js';
import { CreativeFlowError, describeError } from '../core/errors.js';
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
}

export interface RunningDashboard {
  readonly port: number;
  /** The address to open, with the token. */
  readonly url: string;
  close(): Promise<void>;
}

const COOKIE = 'cf_token';
/** Changes arrive in bursts (a batch of files): the page gets the state at most this often. */
const PUSH_EVERY_MS = 250;
const HEARTBEAT_MS = 15_000;

/**
 * The dashboard and local API, on loopback only. Nothing is served without the token (in the URL
 * the daemon prints, then in an HttpOnly cookie), a `Host` other than this address is refused
 * (DNS rebinding), and jobs are POSTs whose token is in a header, never a cookie alone.
 */
export async function startDashboard(deps: DashboardDeps, port: number): Promise<RunningDashboard> {
  const app = Fastify({ logger: false, bodyLimit: 1 << 20 });
  // Open event streams: ended on close, or the server would wait for every open tab to go away.
  const streams = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();
  // Chart.js's browser build sits beside its module entry; its exports do not name it.
  const chartJs = await deps.storage.readText(path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'));

  // Script runs only from this origin's own files, and none at all on a report page: a value that
  // slipped through escaping could not run beside the token.
  app.addHook('onSend', async (request, reply) => {
    reply.header('content-security-policy', request.url.startsWith('/report') ? REPORT_POLICY : PAGE_POLICY).header('x-content-type-options', 'nosniff');
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!allowedHosts.has(request.headers.host ?? '')) return reply.code(421).type('text/plain').send('This dashboard answers only on its own loopback address.');
    const fromHeader = headerToken(request);
    const given = request.method === 'GET' ? (fromHeader ?? queryToken(request) ?? cookieToken(request)) : fromHeader;
    if (!tokenMatches(deps.token, given)) return reply.code(401).type('text/plain').send('Open the address the daemon printed at start-up: it carries the token (also in data/dashboard.token).');
    return undefined;
  });

  app.get('/', async (request, reply) => {
    // The token moves from the URL into a cookie only this origin's pages send.
    if (queryToken(request)) void reply.header('set-cookie', `${COOKIE}=${deps.token}; HttpOnly; SameSite=Strict; Path=/`);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderPage({ root: deps.layout.root, token: deps.token, dryRun: deps.dryRun }));
  });
  app.get('/assets/chart.js', async (_request, reply) => reply.type('text/javascript').send(chartJs ?? ''));
  app.get('/assets/dashboard.js', async (_request, reply) => reply.type('text/javascript').send(CLIENT_SCRIPT));
  app.get('/api/state', async () => deps.live.snapshot());
  app.get('/events', (request, reply) => streamState(request, reply, deps.live, streams));

  app.get<{ Params: { name: string } }>('/screenshots/:name', async (request, reply) => {
    const { name } = request.params;
    const bytes = /^[\w.-]+\.png$/.test(name) ? await deps.storage.readBytes(deps.layout.screenshotNamed(name)) : undefined;
    return bytes ? reply.type('image/png').send(bytes) : reply.code(404).send({ error: 'no such screenshot' });
  });
  app.get<{ Params: { key: string } }>('/thumbnails/:key', async (request, reply) => {
    const jpeg = /^c\d+$/.test(request.params.key) ? await deps.thumbnail(request.params.key).catch(() => undefined) : undefined;
    return jpeg ? reply.type('image/jpeg').header('cache-control', 'private, max-age=300').send(jpeg) : reply.code(404).send({ error: 'no picture' });
  });
  app.get<{ Querystring: { date?: string } }>('/report', async (request, reply) => {
    const date = /^\d{4}-\d{2}-\d{2}$/.test(request.query.date ?? '') ? (request.query.date ?? '') : localDate();
    const html = await deps.storage.readText(deps.layout.reportFile(date, 'html'));
    return html ? reply.type('text/html; charset=utf-8').send(html) : reply.code(404).type('text/plain').send(`No report for ${date} yet.`);
  });

  app.post<{ Params: { job: string } }>('/api/jobs/:job', async (request, reply) => {
    const { job } = request.params;
    if (!isJobName(job)) return reply.code(404).send({ error: `no job ${job}`, plain: `No job named "${job}".`, expected: true });
    const body = (request.body ?? {}) as Record<string, unknown>;
    // A job that sends runs only in the mode it was asked for; without one (a dashboard button), in the daemon's.
    if (jobSends(job) && body.dryRun === false && deps.dryRun) {
      return reply.code(409).send({ error: 'dry run', plain: 'The daemon on this root runs as a dry run, so it will not send anything for --live. Restart it live (DRY_RUN=false or `start --live`), or stop it and run the command alone.', expected: true });
    }
    if (jobSends(job) && body.dryRun === true && !deps.dryRun) {
      return reply.code(409).send({ error: 'live', plain: 'The daemon on this root runs live, and this was asked as a dry run: the daemon would really send it. Add --live (or DRY_RUN=false) to send, or stop the daemon and run the command alone to see the dry run.', expected: true });
    }
    const { dryRun: _dryRun, ...options } = body;
    deps.log.info({ job }, 'A job was asked for through the local API');
    try {
      return { result: await runJob(deps.jobs, job, options) };
    } catch (error) {
      deps.log.error({ err: error, job }, `The ${job} job asked through the local API failed: ${describeError(error)}`);
      return reply.code(error instanceof CreativeFlowError ? 422 : 500).send({ error: (error as Error).message, plain: describeError(error), expected: error instanceof CreativeFlowError });
    }
  });

  await app.listen({ host: '127.0.0.1', port });
  const bound = (app.server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`]);
  return {
    port: bound,
    url: dashboardUrl(bound, deps.token),
    close: async () => {
      for (const stream of streams) stream.end();
      await app.close();
    },
  };
}

const PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** A daily report is one self-contained page: its own style and embedded thumbnails, and nothing else. */
const REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Server-sent events: the whole state now, then again after each change (at most every {@link PUSH_EVERY_MS}). */
function streamState(request: FastifyRequest, reply: FastifyReply, live: LiveState, streams: Set<ServerResponse>): void {
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

function cookieToken(request: FastifyRequest): string | undefined {
  const cookie = request.headers.cookie ?? '';
  return new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(cookie)?.[1];
}

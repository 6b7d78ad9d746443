import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError } from '../../../core/errors.js';
import { openMedia } from '../../../media/ffmpeg-binaries.js';
import type { MediaRepository } from '../../../media/media.repository.js';
import { StorageRepository } from '../../../store/storage.repository.js';
import { SimLibrary, TABS, type ReviewStatus, type Tab } from './library.js';
import type { SimulatorOptions } from './options.js';
import { campaignsPage, mediaLibraryPage, sessionExpiredShell, signInPage } from './pages.js';
import { SimSessions } from './sessions.js';

const SESSION_COOKIE = 'tj_session';

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:4780; the sign-in page is at `${url}/sign-in`. */
  readonly url: string;
  readonly library: SimLibrary;
  readonly sessions: SimSessions;
  close(): Promise<void>;
}

/**
 * A local stand-in for TJ's advertiser site, for the tests and the demo. It enforces TJ's known
 * rules (silently refused duplicate names, in-stream duration, native image size) and can inject
 * the faults TJ shows: latency, HTTP 500s, dropped connections, slow processing, expired sessions.
 */
export async function startSimulator(initial: SimulatorOptions, media: MediaRepository, library = new SimLibrary(), storage = new StorageRepository()): Promise<RunningSimulator> {
  let options = initial;
  const sessions = new SimSessions(options.sessionMinutes * 60_000);
  const random = seededRandom(options.faultSeed);
  const uploadsDir = await storage.makeTempDir('tj-sim-');

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (options.latencyMs > 0) await delay(options.latencyMs);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const alive = sessions.touch(cookie(req, SESSION_COOKIE));
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /':
      case 'GET /sign-in':
        return html(res, 200, signInPage({ noCaptcha: options.noCaptcha }));
      case 'POST /sign-in':
      case 'POST /login': {
        const form = new URLSearchParams(await readText(req));
        if (form.get('username') !== options.username || form.get('password') !== options.password) {
          return html(res, 200, signInPage({ noCaptcha: options.noCaptcha, error: "We don't recognize these credentials. Please try again." }));
        }
        res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${sessions.open()}; Path=/; HttpOnly; SameSite=Lax`);
        res.writeHead(302, { Location: '/campaigns' }).end();
        return;
      }
      case 'GET /campaigns':
      case 'GET /dashboard':
        return html(res, 200, alive ? campaignsPage() : sessionExpiredShell());
      case 'GET /media-library': {
        if (!alive) return html(res, 200, sessionExpiredShell());
        const tab: Tab = TABS.find((candidate) => candidate === url.searchParams.get('tab')) ?? 'native';
        const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
        const listing = library.page(tab, page, options.perPage);
        return html(res, 200, mediaLibraryPage({ tab, page, pages: listing.pages, creatives: listing.creatives }));
      }
      case 'POST /media-library/upload':
        return upload(req, res, alive);
      case 'GET /_sim/state':
        return json(res, 200, { creatives: library.all.map(({ id, name, sha256, tab, reviewStatus }) => ({ id, name, sha256, tab, reviewStatus })) });
      case 'POST /_sim/review': {
        const body = JSON.parse((await readText(req)) || '{}') as { id?: string; status?: ReviewStatus };
        const ok = body.id !== undefined && ['pending', 'approved', 'rejected'].includes(body.status ?? '') && library.setReviewStatus(body.id, body.status as ReviewStatus);
        return json(res, ok ? 200 : 400, { ok });
      }
      case 'POST /_sim/captcha': {
        // Turns the stand-in captcha on or off while running: a session that dies then needs a person.
        const body = JSON.parse((await readText(req)) || '{}') as { required?: boolean };
        options = { ...options, noCaptcha: body.required === false };
        return json(res, 200, { ok: true, noCaptcha: options.noCaptcha });
      }
      case 'POST /_sim/expire-sessions':
        sessions.expireAll();
        return json(res, 200, { ok: true });
      default:
        return json(res, 404, { error: `No route ${route}` });
    }
  };

  const upload = async (req: IncomingMessage, res: ServerResponse, alive: boolean): Promise<void> => {
    if (!alive) return json(res, 401, { error: 'Your session has expired. Please log in again.' });
    const form = await new Request('http://simulator/upload', { method: 'POST', headers: req.headers as Record<string, string>, body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } as RequestInit).formData();
    if (random() < options.errorRate) return json(res, 500, { error: 'Internal Server Error' });
    const file = form.get('file');
    if (!(file instanceof File)) return json(res, 400, { error: 'No file received' });
    const tab: Tab = TABS.find((candidate) => candidate === form.get('tab')) ?? 'native';
    const nativeType = form.get('native_type') === '1' ? 1 : 0;
    const bytes = Buffer.from(await file.arrayBuffer());
    if (options.processingMs > 0) await delay(options.processingMs);

    const ext = path.extname(file.name);
    const name = file.name.slice(0, file.name.length - ext.length);
    // TJ refuses a name it already has without a word: the preview succeeds, no card appears.
    if (library.hasName(name)) return json(res, 200, { ok: true });
    if (options.rejectPattern && new RegExp(options.rejectPattern).test(name)) return json(res, 200, { error: 'Creative rejected: it does not meet the content guidelines.' });
    const rejection = await checkRules(bytes, ext, tab, nativeType, media, storage, uploadsDir);
    if (typeof rejection === 'string') return json(res, 200, { error: rejection });
    library.add({ name, fileType: ext.toLowerCase(), dimensions: rejection.dimensions, tab, nativeType, sha256: createHash('sha256').update(bytes).digest('hex'), uploadDate: new Date().toISOString().slice(0, 10) });
    // A dropped connection after TJ kept the file: the case a retry must check the library for.
    if (random() < options.dropRate) {
      res.socket?.destroy();
      return;
    }
    return json(res, 200, { ok: true });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: (error as Error).message });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    library,
    sessions,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await storage.removeTree(uploadsDir);
    },
  };
}

/** TJ's known limits; returns the reason for a `dz-error`, or what the card shows. */
async function checkRules(bytes: Buffer, ext: string, tab: Tab, nativeType: 0 | 1, media: MediaRepository, storage: StorageRepository, dir: string): Promise<string | { dimensions: string }> {
  if (tab === 'native' && nativeType === 0 && bytes.length > 300_000) return `File is too big (${bytes.length} bytes). Max filesize: 300000 bytes.`;
  const file = path.join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}${ext}`);
  await storage.writeScratchFile(file, bytes);
  try {
    const probed = await media.probe(file).catch(() => undefined);
    const video = probed?.streams.find((stream) => stream.type === 'video');
    if (!probed || !video) return 'The file could not be read as an image or a video.';
    const seconds = probed.durationSec ?? 0;
    if (tab === 'in_stream_video' && (seconds < 5 || seconds > 31)) return `Video duration must be between 5 and 31 seconds (this one is ${seconds.toFixed(1)} s).`;
    return { dimensions: `${video.width}x${video.height}` };
  } finally {
    await storage.remove(file);
  }
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  return req.headers.cookie?.split(';').map((part) => part.trim().split('=')).find(([key]) => key === name)?.[1];
}

/** mulberry32: small, seedable, good enough to pick which requests fail. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where the simulator finds ffmpeg, and the export it starts from. */
export interface SimulatorSetup {
  /** A `TJ_Creative_Library.csv` to seed the library with. */
  readonly seedCsv?: string | undefined;
  readonly ffmpegPath?: string | undefined;
  readonly ffprobePath?: string | undefined;
}

/** `creative-flow simulator`: the simulator on this machine's ffmpeg, seeded from an export when given. */
export async function serveSimulator(options: SimulatorOptions, setup: SimulatorSetup = {}): Promise<RunningSimulator> {
  const storage = new StorageRepository();
  const library = new SimLibrary();
  if (setup.seedCsv !== undefined) {
    const text = await storage.readText(setup.seedCsv);
    if (text === undefined) throw new ConfigError('--seed-library', `"${setup.seedCsv}" does not exist`, 'Give the path of a TJ_Creative_Library.csv export.');
    library.seedFromCsv(text);
  }
  return startSimulator(options, openMedia({ ffmpegPath: setup.ffmpegPath, ffprobePath: setup.ffprobePath }), library, storage);
}

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError } from '../../core/errors.js';
import { openMedia } from '../../media/ffmpeg-binaries.js';
import type { MediaRepository } from '../../media/media.repository.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { SimCampaigns } from './campaigns.js';
import { cookie, html, json, readJson, readText, redirect, seededRandom } from '../http.js';
import { SimLibrary, type ReviewStatus, type Tab } from './library.js';
import { MediaLibraryRoutes, type SimCounters } from './media-library.js';
import type { SimulatorOptions } from './options.js';
import { appShell, signInPage, type AppView } from './pages.js';
import { SimSessions } from './sessions.js';
import { markupVariant } from './variants.js';
import { SimReporting } from './reporting.js';

const SESSION_COOKIE = 'tj_session';
/** Requests whose route `/_sim/state` names: a fault sweep's flows make a few hundred at most. */
const MAX_ROUTES_KEPT = 10_000;

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:4780; the sign-in page is at `${url}/sign-in`. */
  readonly url: string;
  readonly library: SimLibrary;
  readonly sessions: SimSessions;
  /** TJ's reporting API (STATS-CONTRACT.md) on the same port: a test seeds its campaigns, ads and figures and sets its faults here. */
  readonly reporting: SimReporting;
  /** The reporting API's base, as `TJ_API_URL` takes it: `${url}/api`. */
  readonly apiUrl: string;
  /** Changes options while it runs (faults on or off), as a test's script needs. */
  configure(patch: Partial<SimulatorOptions>): void;
  close(): Promise<void>;
}

/** What `/_sim/state` shows: the library, and every request that reached it. */
export interface SimState {
  readonly creatives: {
    id: string;
    name: string;
    sha256: string;
    tab: Tab;
    nativeType: 0 | 1;
    reviewStatus: ReviewStatus;
  }[];
  /** Upload requests per name, kept or not. */
  readonly uploads: Record<string, number>;
  /** Requests that sent a name TJ had already kept. */
  readonly resent: Record<string, number>;
  /** Upload faults served: 500s with no body, proxy 502 pages, connections dropped after the file was kept. */
  readonly faults: SimCounters['faults'];
  /** Sign-in forms submitted. */
  readonly signIns: number;
  /** Requests of the site served (the count {@link SimulatorOptions.endSessionsAt} strikes at). */
  readonly requests: number;
  /** The first of those requests (up to {@link MAX_ROUTES_KEPT}), in order, as method and path: request N is `routes[N - 1]`. */
  readonly routes: readonly string[];
  /** Each campaign's ads, with the times each was created. */
  readonly campaigns: SimCampaigns['state'];
}

/**
 * A local stand-in for TJ's advertiser site, for the tests and the demo. It has the real site's
 * habits (TJ-CONTRACT.md): a session judged by the page's script after load, grids reloaded in
 * place, radios hidden behind their labels, Dropzone's own error strings, a product tour. It
 * enforces TJ's known rules (silently refused duplicate names, in-stream duration, native image
 * size) and can inject the faults TJ shows: latency, HTTP 500s, a proxy's 502 page, dropped
 * connections, slow processing, expired sessions, a captcha at run time, changed markup.
 */
export async function startSimulator(
  initial: SimulatorOptions,
  media: MediaRepository,
  library = new SimLibrary(),
  storage = new StorageRepository(),
): Promise<RunningSimulator> {
  let options = initial;
  markupVariant(options.variant);
  const sessions = new SimSessions(options.sessionMinutes * 60_000);
  const counters: SimCounters = {
    uploads: new Map(),
    resent: new Map(),
    faults: { serverErrors: 0, proxyErrors: 0, dropped: 0 },
    signIns: 0,
  };
  const uploadsDir = await storage.makeTempDir('tj-sim-');
  const mediaLibrary = new MediaLibraryRoutes(
    library,
    media,
    storage,
    uploadsDir,
    counters,
    () => options,
    seededRandom(options.faultSeed),
  );
  const campaigns = new SimCampaigns(library, () => options, seededRandom(options.faultSeed + 1));
  campaigns.seed(options.campaigns);
  const reporting = new SimReporting(() => campaigns.state, options.reporting);
  const shell = (view: AppView): string =>
    appShell(view, {
      deadSessionStatus: options.deadSessionStatus,
      sessionCheckMs: options.sessionCheckMs,
      markupChange: options.markupChange,
      leftoverModal: options.leftoverModal,
      lengthWidget: options.lengthWidget,
      variant: markupVariant(options.variant),
    });

  // Counted always; named only for the first ones, so a simulator left running (the demo) does not grow without end.
  let requests = 0;
  const routes: string[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    // The reporting API is another host on the real site: its own latency, faults and count of
    // calls, so the site's (`endSessionsAt`, `routes`) stay what the browser's flows made them.
    if (reporting.handles(url.pathname)) return reporting.handle(req, res, url);
    if (options.latencyMs > 0) await delay(options.latencyMs);
    if (!url.pathname.startsWith('/_sim/') && url.pathname !== '/favicon.ico') {
      requests += 1;
      if (routes.length < MAX_ROUTES_KEPT) routes.push(`${req.method} ${url.pathname}`);
      if (requests === options.endSessionsAt) sessions.expireAll();
    }
    const session = cookie(req, SESSION_COOKIE);
    const alive = sessions.touch(session);
    const route = `${req.method} ${url.pathname}`;
    if (/^\/campaign\/\d+\/ad-settings$/.test(url.pathname) && req.method === 'GET')
      return html(res, 200, shell('campaign'));
    if (url.pathname.startsWith('/api/campaign/')) return campaigns.handle(req, res, url.pathname, url, alive);
    switch (route) {
      case 'GET /':
      case 'GET /sign-in':
        // Already signed in: the sign-in page sends you on to the app.
        return alive ? redirect(res, '/campaigns') : html(res, 200, signInPage({ noCaptcha: options.noCaptcha }));
      case 'POST /sign-in':
      case 'POST /login': {
        counters.signIns += 1;
        const form = new URLSearchParams(await readText(req));
        if (form.get('username') !== options.username || form.get('password') !== options.password) {
          return html(
            res,
            200,
            signInPage({
              noCaptcha: options.noCaptcha,
              error: "We don't recognize these credentials. Please try again.",
            }),
          );
        }
        res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${sessions.open()}; Path=/; HttpOnly; SameSite=Lax`);
        return redirect(res, '/campaigns');
      }
      // The app shell answers 200 whatever the session: its script decides, after load.
      case 'GET /campaigns':
      case 'GET /dashboard':
        return html(res, 200, shell('campaigns'));
      case 'GET /media-library':
        return html(res, 200, shell('media-library'));
      case 'GET /api/session':
        // The tour announces the Media Library: it covers it once a session.
        return alive
          ? json(res, 200, {
              ok: true,
              tour:
                options.productTour && url.searchParams.get('view') === 'media-library' && sessions.firstTour(session),
            })
          : json(res, options.deadSessionStatus, { error: 'Not signed in' });
      case 'GET /api/media-library/grid':
        return mediaLibrary.grid(res, url, alive);
      case 'POST /media-library/upload':
        return mediaLibrary.upload(req, res, alive);
      case 'GET /_sim/state': {
        const state: SimState = {
          creatives: library.all.map(({ id, name, sha256, tab, nativeType, reviewStatus }) => ({
            id,
            name,
            sha256,
            tab,
            nativeType,
            reviewStatus,
          })),
          uploads: Object.fromEntries(counters.uploads),
          resent: Object.fromEntries(counters.resent),
          faults: { ...counters.faults },
          signIns: counters.signIns,
          requests,
          routes,
          campaigns: campaigns.state,
        };
        return json(res, 200, state);
      }
      case 'POST /_sim/review': {
        const body = await readJson<{ id: string; status: ReviewStatus }>(req);
        const ok =
          body.id !== undefined &&
          ['pending', 'approved', 'rejected'].includes(body.status ?? '') &&
          library.setReviewStatus(body.id, body.status as ReviewStatus);
        return json(res, ok ? 200 : 400, { ok });
      }
      case 'POST /_sim/captcha': {
        // Turns the stand-in captcha on or off while running: a session that dies then needs a person.
        const body = await readJson<{ required: boolean }>(req);
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
    reporting,
    apiUrl: `http://${options.host}:${port}/api`,
    configure(patch) {
      options = { ...options, ...patch };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await storage.removeTree(uploadsDir);
    },
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
    if (text === undefined)
      throw new ConfigError(
        '--seed-library',
        `"${setup.seedCsv}" does not exist`,
        'Give the path of a TJ_Creative_Library.csv export.',
      );
    library.seedFromCsv(text);
  }
  return startSimulator(
    options,
    openMedia({ ffmpegPath: setup.ffmpegPath, ffprobePath: setup.ffprobePath }),
    library,
    storage,
  );
}

import PQueue from 'p-queue';
import { announceDaemon, withdrawDaemon } from '../api/daemon-file.js';
import { dashboardToken } from '../api/token.js';
import type { App } from '../app.js';
import { platformName } from '../core/platform.js';
import { reportCreative } from '../report/daily-report.js';
import { LiveState, type ScheduledPass } from './live-state.js';
import { startDashboard, type RunningDashboard } from './server.js';

/** Thumbnails kept in memory: today's creatives, and a margin. */
const THUMBNAILS_KEPT = 200;
/** Thumbnails made at once: one frame or image each, beside the pipeline's conversions on 2 cores. */
const THUMBNAILS_AT_ONCE = 2;

/**
 * The daemon's dashboard and local API: the live state fed by the app's events, the server on
 * 127.0.0.1, and `data/daemon.json`, by which commands on this root find it. The database walk
 * that fills the last days runs after the server answers, so start-up does not wait on it. `stop`
 * (the daemon stopping) is passed to every job the API starts.
 */
export async function openDashboard(
  app: App,
  nextRuns: () => readonly ScheduledPass[],
  stop?: AbortSignal,
): Promise<RunningDashboard> {
  const { config, services, log } = app;
  const { layout } = config;
  const { storage } = services;
  const live = new LiveState({
    root: layout.root,
    dryRun: config.dryRun,
    creatives: services.creatives,
    events: app.events,
    ...(config.platforms.includes('tj')
      ? { platformStatus: () => services.platforms.tj?.sessionStatus.read() ?? Promise.resolve(undefined) }
      : {}),
    sessionSaved: () => storage.exists(layout.sessionFile),
    otherPlatforms: config.platforms
      .filter((id) => id !== 'tj')
      .map((id) => ({
        id,
        name: platformName(id),
        status: () => services.platforms[id]?.sessionStatus.read() ?? Promise.resolve(undefined),
      })),
    reviewStatusOf: (name) => app.library.get(name)?.reviewStatus,
    nextRuns,
    todaysReport: async (date) =>
      (await storage.exists(layout.reportFile(date, 'html'))) ? layout.rel(layout.reportFile(date, 'html')) : undefined,
  });
  const thumbnails = new Map<string, Buffer>();
  const makingThumbnails = new Map<string, Promise<Buffer | undefined>>();
  const thumbnailQueue = new PQueue({ concurrency: THUMBNAILS_AT_ONCE });
  // Stops the thumbnails' ffmpeg runs when the dashboard closes: a shutdown waits for none of them.
  const closing = new AbortController();
  const server = await startDashboard(
    {
      live,
      jobs: app.jobs,
      layout,
      storage,
      log,
      token: await dashboardToken(layout, storage),
      dryRun: config.dryRun,
      ...(stop ? { stop } : {}),
      thumbnail: (key) => {
        const cached = thumbnails.get(key);
        if (cached) return Promise.resolve(cached);
        // A page of thumbnails asked at once is made a few at a time, each once: ffmpeg and sharp stay the pipeline's.
        let making = makingThumbnails.get(key);
        if (!making) {
          making = thumbnailQueue
            .add(async () => {
              const record = await services.creatives.load(key);
              const picture = record && reportCreative(record, () => undefined).picture;
              if (!picture) return undefined;
              const jpeg = await services.reports.thumbnail(picture, closing.signal);
              if (thumbnails.size >= THUMBNAILS_KEPT) thumbnails.delete(thumbnails.keys().next().value ?? '');
              thumbnails.set(key, jpeg);
              return jpeg;
            })
            .finally(() => makingThumbnails.delete(key));
          makingThumbnails.set(key, making);
        }
        return making;
      },
    },
    config.dashboardPort,
  );
  await announceDaemon(layout, storage, {
    pid: process.pid,
    port: server.port,
    dryRun: config.dryRun,
    startedAt: new Date().toISOString(),
  });
  live
    .load()
    .catch((error: unknown) =>
      log.warn(
        { err: error },
        'The dashboard could not read the last days from the database; it shows what happens from now on',
      ),
    );
  return {
    ...server,
    async close() {
      await withdrawDaemon(layout, storage);
      closing.abort();
      thumbnailQueue.clear();
      live.close();
      await server.close();
    },
  };
}

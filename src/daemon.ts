import { setTimeout as delay } from 'node:timers/promises';
import cron from 'node-cron';
import type { App } from './app.js';
import { localDate } from './core/dates.js';
import { describeError } from './core/errors.js';
import type { UploadSummary } from './upload/upload.service.js';
import { findUnknownInboxFiles } from './intake/reconcile.js';
import { watchInbox } from './intake/watch.js';

/** One reconcile pass: unknown inbox files go to the stability gate, unfinished records resume. */
async function reconcilePass(app: App): Promise<number> {
  const unknown = await findUnknownInboxFiles(app.config.layout, app.storage, app.creatives);
  for (const file of unknown) app.gate.observe(file);
  const resumed = app.pipeline.resumeUnfinished();
  if (unknown.length > 0 || resumed > 0) app.log.info({ unknown: unknown.length, resumed }, 'Reconciled inbox/ with the database');
  return unknown.length + resumed;
}

/** One upload pass (a dry run unless live), then archiving and the tracking files it feeds. */
export async function uploadAndArchive(app: App, signal?: AbortSignal): Promise<UploadSummary | undefined> {
  const summary = await app.uploads.pass(signal);
  const archived = await app.archive.run();
  await app.tracking.afterUploads(summary, archived);
  // Ids, upload statuses and archive paths belong in the inventory people read, not only at the next drop.
  if ((summary?.outcomes.length ?? 0) > 0 || archived.length > 0) app.inventory.scheduleWrite();
  return summary;
}

/**
 * `process --once`: everything in `inbox/` and every unfinished record, failed ones included,
 * then one upload pass (a dry run unless live) and the inventory. Returns when nothing is left.
 */
export async function processOnce(app: App): Promise<void> {
  await app.pipeline.retryFailed();
  // Settle after every pass, the first included: work may already be under way. Stop after a
  // pass that found nothing new.
  for (let more = true; more; ) {
    more = (await reconcilePass(app)) > 0;
    await app.gate.idle();
    await app.pipeline.settled();
  }
  await uploadAndArchive(app);
  await app.inventory.writeNow();
}

/**
 * `start`: watch, reconcile and upload on their schedules, and process until `stop` is aborted;
 * then let the current files and upload batch finish (or abandon them after the grace period,
 * safely) and write what people read.
 */
export async function runDaemon(app: App, stop: AbortSignal): Promise<void> {
  const { config, log } = app;
  // Creatives uploaded before a crash, and batches it cut short, are archived first.
  await app.tracking.afterUploads(undefined, await app.archive.run());
  await app.inventory.writeNow();
  const watcher = await watchInbox(config.layout.inbox, (file) => app.gate.observe(file), log);
  const task = cron.schedule(
    config.reconcileCron,
    async () => {
      await reconcilePass(app).catch((error: unknown) => log.error({ err: error }, 'Reconcile pass failed; the next one tries again'));
    },
    { name: 'reconcile', noOverlap: true },
  );
  const stopUploads = new AbortController();
  let uploading: Promise<unknown> = Promise.resolve();
  const uploadTask = cron.schedule(
    config.uploadCron,
    async () => {
      uploading = uploadAndArchive(app, stopUploads.signal)
        .then(() => app.uploads.keepAlive())
        .catch((error: unknown) => log.error({ err: error }, 'Upload pass failed; the next one tries again'));
      await uploading;
    },
    { name: 'upload', noOverlap: true },
  );
  const reportTask = cron.schedule(
    config.reportCron,
    async () => {
      await app.reports.write(localDate()).catch((error: unknown) => log.error({ err: error }, 'Could not write the daily report; `creative-flow report` writes it by hand'));
    },
    { name: 'report', noOverlap: true },
  );
  const syncTask = cron.schedule(
    config.syncCron,
    async () => {
      if (config.dryRun) return;
      await app.uploads
        .withUploader((uploader) => app.sync.syncStatuses(uploader))
        .then(() => app.tracking.writeLibraryExport())
        .then(() => app.inventory.scheduleWrite())
        .catch((error: unknown) => log.error({ err: error }, `Review-status sync failed: ${describeError(error)}; the next one tries again`));
    },
    { name: 'sync-status', noOverlap: true },
  );
  await reconcilePass(app);
  log.info({ inbox: config.layout.inbox, reconcile: config.reconcileCron, uploads: config.dryRun ? 'dry run' : config.uploadCron }, 'Watching inbox/');

  await new Promise<void>((resolve) => {
    if (stop.aborted) return resolve();
    stop.addEventListener('abort', () => resolve(), { once: true });
  });

  log.info({ graceMs: config.shutdownGraceMs, ...app.pipeline.counts }, 'Stopping: finishing the files in progress');
  await task.stop();
  await uploadTask.stop();
  await reportTask.stop();
  await syncTask.stop();
  // The batch being sent finishes; its files are recorded in flight, so a cut-off batch resumes safely.
  stopUploads.abort();
  await watcher.close();
  app.gate.close();
  await Promise.all([app.pipeline.stop(config.shutdownGraceMs), Promise.race([uploading, delayUnref(config.shutdownGraceMs)])]);
  await app.inventory.writeNow();
  log.info('Stopped');
}

function delayUnref(ms: number): Promise<void> {
  return delay(ms, undefined, { ref: false });
}

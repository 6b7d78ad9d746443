#!/usr/bin/env node
import fs from 'node:fs/promises';
import { Command, Option } from 'commander';
import { openApp, tjConnection, type App } from './app.js';
import { loadConfig, type Config } from './config/config.js';
import { localDate } from './core/dates.js';
import { ConfigError, CreativeFlowError } from './core/errors.js';
import { processOnce, runDaemon, uploadAndArchive } from './daemon.js';
import { createLogger } from './logger.js';
import { CreativeRepository } from './store/creative.repository.js';
import { StorageRepository } from './store/storage.repository.js';
import { launchBrowser } from './platform/tj/browser.js';
import { locateFfmpeg } from './media/ffmpeg-binaries.js';
import { signIn } from './platform/tj/tj-session.js';
import type { Uploader } from './platform/uploader.js';
import { MediaRepository } from './media/media.repository.js';
import { formatStatus, statusReport } from './report/status-report.js';
import { SimLibrary } from './platform/tj/simulator/library.js';
import { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from './platform/tj/simulator/options.js';
import { startSimulator } from './platform/tj/simulator/server.js';

interface GlobalOptions {
  root?: string;
  live?: boolean;
  logLevel?: string;
}

const program = new Command('creative-flow')
  .description('Names, converts, deduplicates and stages ad creatives dropped into inbox/.')
  .addOption(new Option('--root <dir>', 'folder holding inbox/, uploaded/, archive/, tracking/ and data/').env('CREATIVE_FLOW_ROOT'))
  .option('--live', 'really upload (otherwise a dry run, unless DRY_RUN=false)')
  .option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
  .showHelpAfterError();

program
  .command('start')
  .description('run the daemon: watch inbox/, process, stage; stops cleanly on SIGINT or SIGTERM')
  .action(async (_options: unknown, command: Command) => {
    const config = configFrom(command.optsWithGlobals<GlobalOptions>());
    const log = createLogger({ level: config.logLevel });
    const app = await openApp(config, log);
    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stop.signal.aborted) {
        log.warn({ signal }, 'Second signal: exiting now; unfinished files resume on the next start');
        process.exit(130);
      }
      log.info({ signal }, 'Signal received');
      stop.abort();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    try {
      await runDaemon(app, stop.signal);
    } finally {
      await app.close();
    }
  });

program
  .command('process')
  .description('handle everything in inbox/ and every unfinished file, then exit')
  .requiredOption('--once', 'process what is there and exit (the daemon is `start`)')
  .action(async (_options: unknown, command: Command) => {
    const app = await withApp(command, {}, async (opened) => {
      await processOnce(opened);
      return opened;
    });
    console.log(formatStatus(await statusReport(app.creatives)));
  });

program
  .command('upload')
  .description('upload what is staged and not yet uploaded (a dry run unless --live or DRY_RUN=false)')
  .option('--force', 'send even names the library cache already has')
  .action(async (options: { force?: boolean }, command: Command) => {
    const summary = await withApp(command, { force: options.force ?? false }, async (app) => {
      const result = await uploadAndArchive(app);
      await app.inventory.writeNow();
      return result;
    });
    if (!summary) console.log('Nothing staged to upload.');
    else if (summary.dryRun) console.log(`Dry run: ${summary.pending} files would be uploaded. Add --live (or set DRY_RUN=false) to upload.`);
    else console.log(JSON.stringify({ uploaded: summary.uploaded, duplicates: summary.duplicates, rejected: summary.rejected, pending: summary.pending, loginRequired: summary.loginRequired }));
    if (summary?.loginRequired) process.exitCode = 3;
  });

program
  .command('report')
  .description('write the daily summary now, to tracking/reports/ (Markdown, JSON and an HTML page)')
  .option('--date <YYYY-MM-DD>', 'the day to report (default: today)')
  .action(async (options: { date?: string }, command: Command) => {
    const date = options.date ?? localDate();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw new ConfigError('--date', `must be a date as YYYY-MM-DD (got "${date}")`);
    const { files } = await withApp(command, {}, (app) => app.reports.write(date));
    console.log(files.join('\n'));
  });

program
  .command('refresh-library')
  .description("rebuild the library cache and TJ_Creative_Library.csv from every tab and page of TJ's Media Library")
  .action(async (_options: unknown, command: Command) => {
    const result = await withLibrarySync(command, (app, uploader) => app.sync.refreshLibrary(uploader));
    console.log(JSON.stringify({ found: result.found, new: result.added.length, gone: result.gone }, null, 2));
  });

program
  .command('sync-status')
  .description('update review statuses from TJ (the daemon also does this on SYNC_CRON)')
  .action(async (_options: unknown, command: Command) => {
    const changes = await withLibrarySync(command, (app, uploader) => app.sync.syncStatuses(uploader));
    console.log(JSON.stringify(changes, null, 2));
  });

program
  .command('login')
  .description('sign in to TJ in a visible browser; you solve the captcha; the session is saved for the daemon')
  .option('--headless', 'no window (works only where there is no captcha, such as the simulator with --no-captcha)')
  .option('--wait-minutes <n>', 'how long to wait for the captcha to be solved', '5')
  .action(async (options: { headless?: boolean; waitMinutes: string }, command: Command) => {
    const config = configFrom(command.optsWithGlobals<GlobalOptions>());
    const waitMinutes = Number(options.waitMinutes);
    if (!(waitMinutes > 0)) throw new ConfigError('--wait-minutes', `must be a number of minutes above 0 (got "${options.waitMinutes}")`);
    const browser = await launchBrowser({ headless: options.headless ?? false, chromiumPath: config.chromiumPath });
    try {
      console.log(`Opening ${config.tjLoginUrl}. Solve the captcha in the window; creative-flow clicks LOG IN once it is enabled.`);
      await signIn(await browser.newContext(), tjConnection(config), waitMinutes * 60_000);
      console.log(`Signed in. Session saved to ${config.layout.sessionFile} (readable by you only).`);
    } finally {
      await browser.close();
    }
  });

program
  .command('status')
  .description('counts per state, files in progress, and the last errors')
  .option('--json', 'print JSON instead of text')
  .action(async (options: { json?: boolean }, command: Command) => {
    const config = configFrom(command.optsWithGlobals<GlobalOptions>());
    // Read-only: safe beside a running daemon, which holds the lock.
    const creatives = await CreativeRepository.open(config.layout.db, new StorageRepository(), { readOnly: true });
    const report = await statusReport(creatives);
    console.log(options.json ? JSON.stringify(report, null, 2) : formatStatus(report));
  });

program
  .command('simulator')
  .description('serve a local look-alike of TJ\'s advertiser site, for the demo and the tests')
  .option('--port <port>', 'port to listen on (0: any free port)', String(DEFAULT_SIMULATOR_OPTIONS.port))
  .option('--host <host>', 'address to listen on', DEFAULT_SIMULATOR_OPTIONS.host)
  .option('--no-captcha', 'enable the sign-in button at once, for automated runs')
  .option('--seed-library <csv>', 'load a library export (TJ_Creative_Library.csv)')
  .option('--session-minutes <n>', 'minutes of inactivity before a session dies', String(DEFAULT_SIMULATOR_OPTIONS.sessionMinutes))
  .option('--latency-ms <n>', 'delay added to every response', '0')
  .option('--error-rate <share>', 'share of uploads answered with HTTP 500 (0–1)', '0')
  .option('--drop-rate <share>', 'share of uploads whose connection drops after TJ kept the file (0–1)', '0')
  .option('--processing-ms <n>', 'time TJ takes to process each upload', '0')
  .option('--fault-seed <n>', 'seed of the random faults', '1')
  .option('--reject-pattern <regex>', 'refuse (dz-error) uploads whose name matches')
  .action(async (options: Record<string, string | boolean>) => {
    const simulatorOptions = parseSimulatorOptions(options);
    const binaries = locateFfmpeg({ ffmpegPath: process.env.FFMPEG_PATH, ffprobePath: process.env.FFPROBE_PATH });
    const library = new SimLibrary();
    if (typeof options.seedLibrary === 'string') library.seedFromCsv(await fs.readFile(options.seedLibrary, 'utf8'));
    const simulator = await startSimulator(simulatorOptions, new MediaRepository(binaries, 100_000_000), library);
    console.log(`TJ simulator on ${simulator.url} with ${library.all.length} creatives. Point creative-flow at it with:`);
    console.log(`  TJ_LOGIN_URL=${simulator.url}/sign-in TJ_APP_URL=${simulator.url} TJ_USERNAME=${simulatorOptions.username} TJ_PASSWORD=${simulatorOptions.password}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve).once('SIGTERM', resolve);
    });
    await simulator.close();
  });

/** Opens the app on the command's root, runs `work`, and always closes it (flush, release the lock). */
async function withApp<T>(command: Command, options: { force?: boolean }, work: (app: App) => Promise<T>): Promise<T> {
  const config = configFrom(command.optsWithGlobals<GlobalOptions>());
  // A command's result goes to stdout; its log to stderr, so the result can be piped.
  const app = await openApp(config, createLogger({ level: config.logLevel, toStderr: true }), options);
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** Work on TJ's library in the browser, then the library CSV and the inventory are written anew. */
async function withLibrarySync<T>(command: Command, work: (app: App, uploader: Uploader) => Promise<T>): Promise<T> {
  return withApp(command, {}, async (app) => {
    const result = await app.uploads.withUploader((uploader) => work(app, uploader));
    await app.tracking.writeLibraryExport();
    await app.inventory.writeNow();
    return result;
  });
}

function configFrom(options: GlobalOptions): Config {
  return loadConfig({
    root: options.root,
    flags: { DRY_RUN: options.live ? 'false' : undefined, LOG_LEVEL: options.logLevel },
  });
}

function parseSimulatorOptions(options: Record<string, string | boolean>): SimulatorOptions {
  const number = (key: string, min: number, max: number): number => {
    const value = Number(options[key]);
    if (!Number.isFinite(value) || value < min || value > max) throw new ConfigError(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, `must be a number from ${min} to ${max} (got "${options[key]}")`);
    return value;
  };
  return {
    ...DEFAULT_SIMULATOR_OPTIONS,
    port: number('port', 0, 65_535),
    host: String(options.host),
    noCaptcha: options.captcha === false,
    sessionMinutes: number('sessionMinutes', 0.01, 24 * 60),
    latencyMs: number('latencyMs', 0, 60_000),
    errorRate: number('errorRate', 0, 1),
    dropRate: number('dropRate', 0, 1),
    processingMs: number('processingMs', 0, 600_000),
    faultSeed: number('faultSeed', 0, 2 ** 32),
    rejectPattern: typeof options.rejectPattern === 'string' ? options.rejectPattern : undefined,
  };
}

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CreativeFlowError) {
    console.error(`creative-flow: ${error.plain}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
}

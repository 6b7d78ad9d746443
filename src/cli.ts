#!/usr/bin/env node
import path from 'node:path';
import { Command, Option } from 'commander';
import { DaemonJobError } from './api/client.js';
import { dashboardAddress } from './api/daemon-file.js';
import { configFrom, hereWithProgress, runForCommand, withApp, withAppOn, withProgress } from './cli/app-runner.js';
import { parseExoSimulatorOptions } from './cli/exo-simulator-options.js';
import { secretFlagWarnings } from './cli/secret-flags.js';
import { parseSimulatorOptions } from './cli/simulator-options.js';
import { ConfigError, CreativeFlowError, describeError } from './core/errors.js';
import { holdHeapGrowth } from './core/heap.js';
import { VERSION } from './core/product.js';
import { createDaemonLogger, createLogger } from './core/logger.js';
import { DEFAULT_SIMULATOR_OPTIONS, MARKUP_CHANGES } from './simulators/tj/options.js';
import { DEFAULT_SIM_REPORTING_OPTIONS } from './simulators/tj/reporting-options.js';
import { DEFAULT_EXO_SIMULATOR_OPTIONS } from './simulators/exoclick/options.js';
import { MARKUP_VARIANTS } from './simulators/tj/variants.js';
import { chat } from './notify/chat-text.js';
import { formatStatus } from './report/status-report.js';
import { isDay } from './results/days.js';
import { formatFetch, formatResults } from './results/results-text.js';
import { StorageRepository } from './store/storage.repository.js';

holdHeapGrowth();

/** The jobs that run beside a daemon; loaded when a command needs them (they bring the browser). */
function standalone(): Promise<typeof import('./jobs/standalone.js')> {
  return import('./jobs/standalone.js');
}

const program = new Command('creative-flow')
  .description('Names, converts, deduplicates and stages ad creatives dropped into inbox/.')
  .addOption(
    new Option('--root <dir>', 'folder holding inbox/, uploaded/, archive/, tracking/ and data/').env(
      'CREATIVE_FLOW_ROOT',
    ),
  )
  .option('--live', 'really upload (otherwise a dry run, unless DRY_RUN=false)')
  .option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
  .option('--verbose', "a command's log at info, not only its warnings (the daemon logs at info anyway)")
  .version(VERSION, '-V, --version', 'print the version')
  .showHelpAfterError();

program
  .command('start')
  .description('run the daemon: watch inbox/, process, stage; stops cleanly on SIGINT or SIGTERM')
  .action(async (_options: unknown, command: Command) => {
    const config = await configFrom(command);
    await new StorageRepository().ensureDir(config.layout.logs, 0o700);
    const log = await createDaemonLogger({
      level: config.logLevel,
      file: config.layout.logFile,
      size: config.logRotateSize,
      keep: config.logKeep,
    });
    const [{ openApp }, { runDaemon }] = await Promise.all([import('./app.js'), import('./daemon.js')]);
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
    } catch (error) {
      app.notifier?.notify({
        key: 'stopped',
        text: chat`creative-flow (${config.layout.root}) stopped on an error: ${describeError(error)}`,
      });
      throw error;
    } finally {
      await app.close();
      log.flush();
      // Under pm2 the IPC channel to pm2 is open and would keep the process alive (pm2 then kills it 30 s later).
      process.channel?.unref();
    }
  });

program
  .command('process')
  .description('handle everything in inbox/ and every unfinished file, then exit')
  .requiredOption('--once', 'process what is there and exit (the daemon is `start`)')
  .action(async (_options: unknown, command: Command) => {
    const { status, paused } = await withApp(command, (app) => withProgress(app, () => app.jobs.processOnce()));
    console.log(formatStatus(status));
    if (paused) {
      console.error(`creative-flow: work paused: ${paused}`);
      process.exitCode = 3;
    }
  });

program
  .command('upload')
  .description('upload what is staged and not yet uploaded (a dry run unless --live or DRY_RUN=false)')
  .option('--force', 'send even names the library cache already has')
  .option('--retry-failed', 'try again the files whose upload failed in UPLOAD_MAX_PASSES passes')
  .action(async (options: { force?: boolean; retryFailed?: boolean }, command: Command) => {
    const upload = { force: options.force ?? false, retryFailed: options.retryFailed ?? false };
    const { summary, waitingFor } = (await runForCommand(command, 'upload', upload, hereWithProgress('upload', upload)))
      .result;
    if (!summary) console.log('Nothing staged to upload.');
    else if (summary.dryRun)
      console.log(
        `Dry run: ${summary.pending} files would be uploaded (a native pair is two). Add --live (or set DRY_RUN=false) to upload.`,
      );
    // Files, as upload_status_*.csv counts them; `status` counts creatives.
    else
      console.log(
        JSON.stringify({
          files: {
            uploaded: summary.uploaded,
            duplicates: summary.duplicates,
            rejected: summary.rejected,
            pending: summary.pending,
          },
          loginRequired: summary.loginRequired,
        }),
      );
    if (waitingFor) {
      console.error(`creative-flow: uploads wait: ${waitingFor}`);
      process.exitCode = 3;
    }
  });

program
  .command('report')
  .description('write the daily summary now, to tracking/reports/ (Markdown, JSON and an HTML page)')
  .option('--date <YYYY-MM-DD>', 'the day to report (default: today)')
  .action(async (options: { date?: string }, command: Command) => {
    const { date } = options;
    if (date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))))
      throw new ConfigError('--date', `must be a date as YYYY-MM-DD (got "${date}")`);
    console.log((await runForCommand(command, 'report', { date })).result.join('\n'));
  });

program
  .command('results')
  .description(
    "each creative's impressions, clicks, conversions and cost on TJ and ExoClick, best first, with a verdict: scale, keep, kill or watch",
  )
  .option('--from <YYYY-MM-DD>', 'the first day (default: 6 days before --to)')
  .option('--to <YYYY-MM-DD>', 'the last day (default: today, US Eastern time)')
  .option('--json', 'one JSON object: {from, to, creatives, tests}')
  .action(async (options: { from?: string; to?: string; json?: boolean }, command: Command) => {
    for (const [flag, value] of [
      ['--from', options.from],
      ['--to', options.to],
    ] as const) {
      if (value !== undefined && !isDay(value))
        throw new ConfigError(flag, `must be a date as YYYY-MM-DD (got "${value}")`);
    }
    const { result } = await runForCommand(command, 'results', { from: options.from, to: options.to });
    console.log(
      options.json
        ? JSON.stringify(
            {
              from: result.from,
              to: result.to,
              creatives: result.creatives.map(({ key: _key, picture: _picture, ...shown }) => shown),
              tests: result.tests,
            },
            null,
            2,
          )
        : formatResults(result),
    );
  });

program
  .command('fetch-results')
  .description(
    "fetch results now from TJ's and ExoClick's reporting APIs: the last days again (platforms restate them) and any day not fetched yet",
  )
  .action(async (_options: unknown, command: Command) => {
    console.log(formatFetch((await runForCommand(command, 'fetch-results', {})).result));
  });

program
  .command('refresh-library')
  .description("rebuild the library cache and TJ_Creative_Library.csv from every tab and page of TJ's Media Library")
  .action(async (_options: unknown, command: Command) => {
    const { result } = await runForCommand(command, 'refresh-library', {}, hereWithProgress('refresh-library', {}));
    console.log(JSON.stringify({ found: result.found, new: result.added.length, gone: result.gone }, null, 2));
  });

program
  .command('sync-status')
  .description(
    'update review statuses from the platforms (the daemon also does this on SYNC_CRON); reads only the newest pages, those of creatives still in review',
  )
  .option('--full', 'read every page of every listing')
  .action(async (options: { full?: boolean }, command: Command) => {
    const sync = { full: options.full ?? false };
    console.log(
      JSON.stringify(
        (await runForCommand(command, 'sync-status', sync, hereWithProgress('sync-status', sync))).result,
        null,
        2,
      ),
    );
  });

program
  .command('login')
  .description('sign in to TJ in a visible browser; you solve the captcha; the session is saved for the daemon')
  .option('--headless', 'no window (works only where there is no captcha, such as the simulator with --no-captcha)')
  .option('--wait-minutes <n>', 'how long to wait for the captcha to be solved', '5')
  .action(async (options: { headless?: boolean; waitMinutes: string }, command: Command) => {
    const config = await configFrom(command);
    const waitMinutes = Number(options.waitMinutes);
    if (!(waitMinutes > 0))
      throw new ConfigError('--wait-minutes', `must be a number of minutes above 0 (got "${options.waitMinutes}")`);
    console.log(
      `Opening ${config.tjLoginUrl}. Solve the captcha in the window; creative-flow clicks LOG IN once it is enabled.`,
    );
    const { login } = await standalone();
    const files = await login(config, createLogger({ level: config.commandLogLevel, toStderr: true }), {
      headless: options.headless ?? false,
      waitMinutes,
    });
    console.log(`Signed in. Session saved to ${files.join(', ')} (readable by you only).`);
  });

program
  .command('block')
  .description("add a file's hash to tracking/known_fakes.csv: files with the same bytes are set aside as rejected")
  .argument('<file>', 'a file with the bytes to block (a scraper\'s placeholder, a "video unavailable" clip)')
  .option('--reason <text>', 'why, as the rejected files will say', 'blocked with creative-flow block')
  .action(async (file: string, options: { reason: string }, command: Command) => {
    const { blockFile } = await standalone();
    const { hash, list } = await blockFile(await configFrom(command), file, options.reason);
    console.log(`Blocked ${hash} ("${options.reason}") in ${list}. Files with these bytes are set aside as rejected.`);
  });

const campaigns = program.command('campaigns').description('ads in TJ campaigns, from the campaign CSVs');
campaigns
  .command('create')
  .description(
    "create ads in campaigns from tracking/campaign_mapping.csv (TJ_tool's format), resuming where the last run stopped; a dry run unless --live",
  )
  .option('--mapping <file>', 'another mapping file (campaign_id,csv_filename,campaign_name,enabled)')
  .option('--only <ids>', 'only these campaign ids, comma-separated')
  .option('--fresh', "start over instead of carrying on from the last run's checkpoint")
  .option('--retry-failed', 'run again the campaigns that failed in earlier runs')
  .option('--skip-invalid', 'run the valid rows of a mapping that has bad ones (they are listed)')
  .option(
    '--queued',
    'instead of the mapping: the ads the daemon queued from tracking/campaign_targets.csv, failed ones included',
  )
  .action(
    async (
      options: {
        mapping?: string;
        only?: string;
        fresh?: boolean;
        retryFailed?: boolean;
        skipInvalid?: boolean;
        queued?: boolean;
      },
      command: Command,
    ) => {
      const only = options.only
        ?.split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (only?.some((id) => !/^\d+$/.test(id)))
        throw new ConfigError('--only', `must be campaign ids separated by commas (got "${options.only}")`);
      const request = {
        mapping: options.mapping && path.resolve(options.mapping),
        only,
        fresh: options.fresh ?? false,
        retryFailed: options.retryFailed ?? false,
        skipInvalid: options.skipInvalid ?? false,
        queued: options.queued ?? false,
      };
      const { campaignLine, campaignProgress, campaignSummary } = await import('./cli/campaign-progress.js');
      const progress = campaignProgress(process.stdout);
      const { result: run, byDaemon } = await runForCommand(command, 'campaigns-create', request, (config) =>
        withAppOn(config, (app) => app.jobs.campaigns.create({ ...request, onEvent: progress.onEvent })),
      ).finally(() => progress.stop());
      // The daemon ran it with no bar here: its campaigns are told once it is done.
      if (byDaemon) for (const result of run.results) console.log(campaignLine(result));
      console.log(campaignSummary(run).join('\n'));
      if (run.stopped) process.exitCode = 3;
      else if (run.results.some((each) => each.result === 'failed')) process.exitCode = 1;
    },
  );

program
  .command('check')
  .description(
    'a read-only probe of this machine and of the configured TJ: one ✓/✗ line per selector the contract names (ℹ for a hint it does not), a screenshot for each ✗',
  )
  .option('--campaign <id>', "a campaign whose ad settings are looked at (default: the mapping's first)")
  .action(async (options: { campaign?: string }, command: Command) => {
    const config = await configFrom(command);
    if (options.campaign !== undefined && !/^\d+$/.test(options.campaign))
      throw new ConfigError('--campaign', `must be a campaign id (got "${options.campaign}")`);
    const { check } = await standalone();
    const lines = await check(config, createLogger({ level: config.commandLogLevel, toStderr: true }), {
      campaignId: options.campaign,
    });
    const width = Math.max(...lines.map((line) => line.name.length));
    for (const line of lines) {
      const mark = { ok: '✓', failed: '✗', note: 'ℹ', skipped: '–' }[line.result];
      const selector = line.selector ? `  ${line.selector}` : '';
      console.log(
        `${mark} ${line.name.padEnd(width)}  ${line.detail}${selector}${line.screenshot ? `\n  ${' '.repeat(width)}screenshot: ${line.screenshot}` : ''}`,
      );
    }
    const failed = lines.filter((line) => line.result === 'failed');
    const notes = lines.filter((line) => line.result === 'note').length;
    const hints = notes ? ` ${notes} hint${notes === 1 ? '' : 's'} (ℹ) not found: the flows do without them.` : '';
    console.log(
      failed.length === 0
        ? `\nEverything the contract names is there.${hints}`
        : `\n${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((line) => line.name).join(', ')}.${hints}`,
    );
    if (failed.length > 0) process.exitCode = 1;
  });

program
  .command('status')
  .description('counts per state, files in progress, and the last errors')
  .option('--json', 'print JSON instead of text')
  .action(async (options: { json?: boolean }, command: Command) => {
    // Without a daemon, the status is read without the lock.
    const { readStatus } = await standalone();
    const { result: report } = await runForCommand(command, 'status', {}, readStatus);
    console.log(options.json ? JSON.stringify(report, null, 2) : formatStatus(report));
  });

program
  .command('setup')
  .description(
    'the first run: TJ credentials (and an ExoClick API token) into .env, this machine checked, folders made, login, check, and the pm2 commands',
  )
  .option('--username <name>', 'the TJ username (asked when not given)')
  .option(
    '--password <password>',
    "the TJ password; better left out, to be asked (masked): given here it stays in the shell's history (TJ_PASSWORD in the environment works for scripts)",
  )
  .option(
    '--exo-token <token>',
    "ExoClick's API token (optional); better left out, to be asked (masked): given here it stays in the shell's history (EXO_API_TOKEN in the environment works for scripts)",
  )
  .option('--yes', 'ask nothing, for scripts (also when stdin is not a terminal)')
  .option('--skip-login', 'do not sign in now')
  .option('--skip-check', 'do not probe TJ now')
  .action(
    async (
      options: {
        username?: string;
        password?: string;
        exoToken?: string;
        yes?: boolean;
        skipLogin?: boolean;
        skipCheck?: boolean;
      },
      command: Command,
    ) => {
      const root = path.resolve(
        command.optsWithGlobals<{ root?: string }>().root ?? process.env.CREATIVE_FLOW_ROOT ?? '.',
      );
      const nonInteractive = options.yes === true || !process.stdin.isTTY;
      const log = createLogger({ level: 'warn', toStderr: true });
      for (const warning of secretFlagWarnings(options)) console.error(warning);
      const [{ runSetup }, { terminalPrompter }, { check, checkMachine, login }] = await Promise.all([
        import('./setup/setup.js'),
        import('./cli/prompter.js'),
        standalone(),
      ]);
      const ok = await runSetup(
        {
          root,
          username: options.username,
          password: options.password ?? (nonInteractive ? process.env.TJ_PASSWORD : undefined),
          exoToken: options.exoToken ?? (nonInteractive ? process.env.EXO_API_TOKEN : undefined),
          platforms: process.env.PLATFORMS,
          nonInteractive,
          skipLogin: options.skipLogin ?? false,
          skipCheck: options.skipCheck ?? false,
        },
        terminalPrompter,
        {
          checkMachine,
          login: async (config) => (await login(config, log, { headless: false, waitMinutes: 5 })).join(', '),
          check: (config) => check(config, log),
        },
        new StorageRepository(),
        (line) => console.log(line),
      );
      if (!ok) process.exitCode = 1;
    },
  );

program
  .command('dashboard')
  .description("print the address of the running daemon's dashboard (it carries the token)")
  .action(async (_options: unknown, command: Command) => {
    console.log(await dashboardAddress((await configFrom(command)).layout, new StorageRepository()));
  });

program
  .command('simulator')
  .description("serve a local look-alike of TJ's advertiser site, for the demo and the tests")
  .option('--port <port>', 'port to listen on (0: any free port)', String(DEFAULT_SIMULATOR_OPTIONS.port))
  .option('--host <host>', 'address to listen on', DEFAULT_SIMULATOR_OPTIONS.host)
  .option('--no-captcha', 'enable the sign-in button at once, for automated runs')
  .option('--seed-library <csv>', 'load a library export (TJ_Creative_Library.csv)')
  .option(
    '--session-minutes <n>',
    'minutes of inactivity before a session dies',
    String(DEFAULT_SIMULATOR_OPTIONS.sessionMinutes),
  )
  .option(
    '--session-check-ms <n>',
    "how long the page's script takes to judge the session",
    String(DEFAULT_SIMULATOR_OPTIONS.sessionCheckMs),
  )
  .option(
    '--variant <n>',
    `which build of TJ's pages to serve, each changing only what the contract leaves open: ${MARKUP_VARIANTS.map((variant, n) => `${n}: ${variant.summary}`).join('; ')}`,
    '0',
  )
  .option(
    '--grid-delay-ms <n>',
    "how long a grid takes to come back after a tab, sub-type or page click (default: the variant's)",
  )
  .option('--no-product-tour', 'no product tour over the Media Library')
  .option('--latency-ms <n>', 'delay added to every response', '0')
  .option('--error-rate <share>', 'share of uploads answered with HTTP 500 (0–1)', '0')
  .option('--proxy-error-rate <share>', "share of uploads answered with a proxy's 502 page (0–1)", '0')
  .option('--drop-rate <share>', 'share of uploads whose connection drops after TJ kept the file (0–1)', '0')
  .option('--processing-ms <n>', 'time TJ takes to process each upload', '0')
  .option('--fault-seed <n>', 'seed of the random faults', '1')
  .option('--reject-pattern <regex>', 'refuse (dz-error) uploads whose name matches')
  .addOption(
    new Option('--markup-change <change>', 'change the markup as TJ might, for `check` to catch').choices(
      MARKUP_CHANGES,
    ),
  )
  .option(
    '--campaign <id:type:name>',
    'seed a campaign (type native or preroll), e.g. 1001:native:Native Test; repeatable',
    (value: string, seeds: string[]) => [...seeds, value],
    [],
  )
  .option('--leftover-modal', 'cover each campaign page with a modal left open, until closed')
  .option('--create-error-rate <share>', 'share of ad creations answered with HTTP 500 (0–1)', '0')
  .action(async (options: Record<string, string | boolean | string[]>) => {
    const simulatorOptions = parseSimulatorOptions(options);
    const { serveSimulator } = await import('./simulators/tj/server.js');
    const simulator = await serveSimulator(simulatorOptions, {
      seedCsv: typeof options.seedLibrary === 'string' ? options.seedLibrary : undefined,
      ffmpegPath: process.env.FFMPEG_PATH,
      ffprobePath: process.env.FFPROBE_PATH,
    });
    const campaigns = simulatorOptions.campaigns.map((campaign) => `${campaign.id} (${campaign.type})`).join(', ');
    console.log(
      `TJ simulator on ${simulator.url} (variant ${simulatorOptions.variant}: ${MARKUP_VARIANTS[simulatorOptions.variant]?.summary}) with ${simulator.library.all.length} creatives${campaigns ? ` and campaigns ${campaigns}` : ''}. Point creative-flow at it with:`,
    );
    console.log(
      `  TJ_LOGIN_URL=${simulator.url}/sign-in TJ_APP_URL=${simulator.url} TJ_USERNAME=${simulatorOptions.username} TJ_PASSWORD=${simulatorOptions.password} TJ_API_URL=${simulator.apiUrl} TJ_API_KEY=${simulatorOptions.reporting?.apiKey ?? DEFAULT_SIM_REPORTING_OPTIONS.apiKey}`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve).once('SIGTERM', resolve);
    });
    await simulator.close();
  });

const exo = DEFAULT_EXO_SIMULATOR_OPTIONS;
program
  .command('exo-simulator')
  .description("serve a local look-alike of ExoClick's API v2 (EXO-CONTRACT.md), for the demo and the tests")
  .option('--port <port>', 'port to listen on (0: any free port)', String(exo.port))
  .option('--host <host>', 'address to listen on', exo.host)
  .option('--token <token>', 'the API token it accepts', exo.apiTokens[0])
  .option('--token-ttl-seconds <n>', 'expires_in of a session token', String(exo.tokenTtlSeconds))
  .option(
    '--variation-shape <shape>',
    'json: PUT …/variations creates variations; multipart: POST …/variation does',
    exo.variationShape,
  )
  .option(
    '--campaigns-result <shape>',
    'GET /v2/campaigns answers result as an array or an object keyed by id',
    exo.campaignsResultShape,
  )
  .option('--file-hash <hash>', 'which hash file_hash_original holds: md5 or sha256', exo.fileHash)
  .option('--rate-limit <n>', 'requests a window', String(exo.rateLimit.limit))
  .option('--rate-window-seconds <n>', "the rate limit's window", String(exo.rateLimit.windowSeconds))
  .option('--latency-ms <n>', 'delay added to every response', '0')
  .option(
    '--upload-faults <list>',
    `the fates of the first uploads, comma-separated: ok, server-error, dropped-after-kept, firewall, rate-limited`,
    '',
  )
  .option('--error-rate <share>', 'share of uploads answered with a 5xx after the plan (0–1)', '0')
  .option('--drop-rate <share>', 'share of uploads whose connection drops after the file was kept (0–1)', '0')
  .option('--fault-seed <n>', 'seed of the random faults', '1')
  .option('--reject-pattern <regex>', 'refuse (422) uploads whose file name matches')
  .action(async (options: Record<string, string | boolean | undefined>) => {
    const simulatorOptions = parseExoSimulatorOptions(options);
    const { startExoSimulator } = await import('./simulators/exoclick/server.js');
    const simulator = await startExoSimulator(simulatorOptions);
    console.log(
      `ExoClick API simulator on ${simulator.url}/v2/ (GET ${simulator.url}/_sim/state shows what it received). Point creative-flow at it with:`,
    );
    console.log(
      `  PLATFORMS=tj,exoclick EXO_API_URL=${simulator.url}/v2/ EXO_API_TOKEN=${simulatorOptions.apiTokens[0]}`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve).once('SIGTERM', resolve);
    });
    await simulator.close();
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CreativeFlowError) {
    console.error(`creative-flow: ${error.plain}`);
    process.exitCode = error instanceof DaemonJobError && !error.expected ? 1 : 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
}

#!/usr/bin/env node
import { Command, Option } from 'commander';
import { openApp } from './app.js';
import { loadConfig, type Config } from './config/config.js';
import { CreativeFlowError } from './core/errors.js';
import { processOnce, runDaemon } from './daemon.js';
import { createLogger } from './logger.js';
import { CreativeRepository } from './repositories/creative.repository.js';
import { StorageRepository } from './repositories/storage.repository.js';
import { formatStatus, statusReport } from './services/status.service.js';

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
    const config = configFrom(command.optsWithGlobals<GlobalOptions>());
    const app = await openApp(config, createLogger({ level: config.logLevel }));
    try {
      await processOnce(app);
    } finally {
      await app.close();
    }
    console.log(formatStatus(await statusReport(app.creatives)));
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

function configFrom(options: GlobalOptions): Config {
  return loadConfig({
    root: options.root,
    flags: { DRY_RUN: options.live ? 'false' : undefined, LOG_LEVEL: options.logLevel },
  });
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

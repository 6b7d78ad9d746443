import { fileURLToPath } from 'node:url';
import { dotEnvPath, loadConfig, platformNames, type Config } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import type { CheckLine } from '../platform/check-line.js';
import { MetadataDefaultsFile } from '../naming/metadata-defaults.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { readSettings, withSettings } from './env-file.js';

/** How setup asks a person; the command line answers with @inquirer/prompts, a test with a script. */
export interface Prompter {
  input(message: string, defaultValue?: string): Promise<string>;
  password(message: string): Promise<string>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
}

export interface SetupOptions {
  /** The root to set up. */
  readonly root: string;
  /** Given on the command line: not asked. */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** ExoClick's API token, given on the command line or by EXO_API_TOKEN: not asked. */
  readonly exoToken?: string | undefined;
  /** `PLATFORMS` from the environment, which wins over `.env`'s, as it does for the daemon. */
  readonly platforms?: string | undefined;
  /** Ask nothing: what is not given keeps its value in `.env`, and login and check run unless skipped. */
  readonly nonInteractive: boolean;
  readonly skipLogin: boolean;
  readonly skipCheck: boolean;
}

/** What setup runs once `.env` is written: the machine's checks, the login, TJ's check. */
export interface SetupSteps {
  checkMachine(config: Config): Promise<CheckLine[]>;
  login(config: Config): Promise<string>;
  check(config: Config): Promise<CheckLine[]>;
}

/**
 * `creative-flow setup`, the first run: the TJ username and password into `.env` (owner-only,
 * every other line kept), this machine checked (ffmpeg, Chromium, with how to install what is
 * missing), the folders and `metadata_defaults.csv` made, then a login and a check, and the pm2
 * commands to run it for good. Returns false when something needs fixing.
 */
export async function runSetup(
  options: SetupOptions,
  prompter: Prompter,
  steps: SetupSteps,
  storage: StorageRepository,
  say: (line: string) => void,
): Promise<boolean> {
  const envFile = dotEnvPath(options.root);
  const text = (await storage.readText(envFile)) ?? '';
  const current = readSettings(text);
  const ask = async (
    given: string | undefined,
    key: string,
    question: () => Promise<string>,
  ): Promise<string | undefined> => {
    if (given !== undefined) return given;
    if (options.nonInteractive) return current[key];
    // An empty answer keeps what `.env` holds.
    return (await question()).trim() || current[key];
  };
  // Only the platforms chosen are asked for; TJ is the default.
  const chosen = platformNames(options.platforms ?? current.PLATFORMS ?? 'tj');
  const forTj = chosen.includes('tj');
  const username = forTj
    ? await ask(options.username, 'TJ_USERNAME', () => prompter.input('TJ username', current.TJ_USERNAME))
    : undefined;
  const password = forTj
    ? await ask(options.password, 'TJ_PASSWORD', () =>
        prompter.password(current.TJ_PASSWORD ? 'TJ password (Enter keeps the one in .env)' : 'TJ password'),
      )
    : undefined;
  // Without a sign-in now, the credentials may come later: said, not demanded.
  if (forTj && (!username || !password) && !options.skipLogin)
    throw new ConfigError(
      username ? 'TJ_PASSWORD' : 'TJ_USERNAME',
      'is not set',
      'Give --username and --password, or run `creative-flow setup` on a terminal to be asked (or --skip-login to set them later).',
    );
  // Optional: without one, creatives go to TJ alone.
  const exoToken = await ask(options.exoToken, 'EXO_API_TOKEN', () =>
    prompter.password(
      current.EXO_API_TOKEN
        ? 'ExoClick API token (Enter keeps the one in .env)'
        : 'ExoClick API token, to send to ExoClick too (Profile › API Tokens; Enter skips)',
    ),
  );
  const platforms = exoToken ? withExoClick(current.PLATFORMS) : undefined;
  const tjSettings: Record<string, string> =
    username && password ? { TJ_USERNAME: username, TJ_PASSWORD: password } : {};
  await storage.writeFileAtomic(
    envFile,
    withSettings(text, {
      ...tjSettings,
      ...(exoToken ? { EXO_API_TOKEN: exoToken } : {}),
      ...(platforms ? { PLATFORMS: platforms } : {}),
    }),
    { mode: 0o600 },
  );
  say(`✓ ${envFile} written (readable by you only); its other settings are kept`);
  if (forTj && !(username && password))
    say(
      '– TJ_USERNAME and TJ_PASSWORD are not set yet: run `creative-flow setup` again, or set them in .env, before uploading to TJ',
    );
  if (platforms)
    say(
      `✓ PLATFORMS=${platforms}: each creative goes to ${platforms.split(',').length > 1 ? 'TJ and ExoClick' : 'ExoClick'}`,
    );

  const config = await loadConfig({ root: options.root, storage });
  const machine = await steps.checkMachine(config);
  for (const line of machine) say(`${line.result === 'ok' ? '✓' : '✗'} ${line.name}: ${line.detail}`);
  for (const dir of [...config.layout.folders, config.layout.tracking]) await storage.ensureDir(dir);
  await storage.ensureDir(config.layout.data, 0o700);
  await new MetadataDefaultsFile(config.layout.metadataDefaultsCsv, storage, () => undefined).loadStrict();
  say(
    `✓ folders made under ${config.layout.root}; fill in ${config.layout.rel(config.layout.metadataDefaultsCsv)} for each inbox folder's naming tokens`,
  );
  let ok = machine.every((line) => line.result === 'ok');

  const signIn =
    forTj &&
    !options.skipLogin &&
    (options.nonInteractive ||
      (await prompter.confirm('Sign in to TJ now? A browser window opens; you solve the captcha.', true)));
  if (signIn) say(`✓ signed in; the session is saved in ${await steps.login(config)}`);
  const probe =
    !options.skipCheck && (options.nonInteractive || (await prompter.confirm('Check TJ now (read only)?', true)));
  if (probe) {
    const lines = await steps.check(config);
    const failed = lines.filter((line) => line.result === 'failed');
    say(
      failed.length === 0
        ? '✓ creative-flow check: everything checked is there'
        : `✗ creative-flow check: ${failed.map((line) => line.name).join(', ')} failed; run \`creative-flow check\` for the details`,
    );
    ok &&= failed.length === 0;
  }
  say('');
  // Commands that work as printed, from any folder: the package's own ecosystem file, the root given.
  const root = quoteForShell(config.layout.root);
  say('Run it for good under pm2:');
  say(`  cd ${quoteForShell(PACKAGE_DIR)} && CREATIVE_FLOW_ROOT=${root} npx pm2 start ecosystem.config.js`);
  say('  npx pm2 save && npx pm2 startup     # starts again after a reboot');
  say(`  npx creative-flow dashboard --root ${root}    # the live dashboard's address`);
  say('It runs as a dry run until DRY_RUN=false is set in .env.');
  return ok;
}

/** `PLATFORMS` with exoclick in it, the others kept (TJ by default). */
function withExoClick(current: string | undefined): string {
  const platforms = platformNames(current ?? 'tj');
  return [...new Set([...(platforms.length > 0 ? platforms : ['tj']), 'exoclick'])].join(',');
}

/** The package's folder (where `ecosystem.config.js` is), from this module's place in `dist/setup/`. */
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** A path as a POSIX shell reads it back: quoted when it holds anything but the plain characters. */
function quoteForShell(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

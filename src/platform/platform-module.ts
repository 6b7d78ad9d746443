import type { ActivityBus } from '../core/events.js';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { PlatformId, PlatformWords, UploadTarget } from '../core/platform.js';
import type { OutputFile } from '../core/record.js';
import type { StorageRepository } from '../store/storage.repository.js';
import type { CheckLine } from './check-line.js';
import type { ConnectionDeps } from './connection.js';
import type { ResultsSource } from './results-source.js';

/** What a platform's factories are given: the root, its storage, the log and the app's bus and closing signal. */
export interface PlatformDeps {
  readonly layout: Layout;
  readonly storage: StorageRepository;
  readonly log: Logger;
  readonly events: ActivityBus;
  /** Aborted when the app closes: a wait or request of the platform's still running is abandoned. */
  readonly signal: AbortSignal;
}

/** How uploads to a platform go: files per batch, the pause between batches, and what it cannot take. */
export interface UploadPlan {
  readonly batchSize: number;
  readonly paceMs: number;
  /** Why an output does not fit the platform (it is then not sent there, and the others go on). */
  readonly unfit?: (output: OutputFile, target: UploadTarget) => string | undefined;
}

/** A platform's reporting client, or why its results are not fetched. */
export interface PlatformResults {
  readonly source: ResultsSource | undefined;
  readonly notFetched: string;
  /** Tells the key in use from a refused one without keeping the key. */
  readonly keyFingerprint: string;
}

/**
 * One platform, as the rest of the product reaches it: each platform's folder exports one, and
 * `registry.ts` lists them. `Settings` is the platform's slice of the configuration: for the two
 * built in, made by `config/platform-settings.ts` from the keys `config.ts` reads and checks; for
 * another, read by its own {@link PlatformModule.readSettings}.
 */
export interface PlatformModule<Settings> {
  readonly id: PlatformId;
  /** How people call it, in logs, `status`, the report and notices. */
  readonly name: string;
  /** What `status` and the report call its refusal of the credentials: "password refused". */
  readonly refusal: string;
  /** The credential it may refuse, and the `.env` key that holds it, for the notice that says what to fix. */
  readonly credential: PlatformWords['credential'];
  /** The root's files it owns: its waiting status (a login, a refused credential) and its library cache. */
  statusFile(layout: Layout): string;
  libraryCacheFile(layout: Layout): string;
  uploadPlan(settings: Settings): UploadPlan;
  /** The parts of its connection that are its own: how the uploader opens, the saved session, the credentials' fingerprint. */
  connection(
    settings: Settings,
    deps: PlatformDeps,
  ): Pick<ConnectionDeps, 'open' | 'session' | 'credentials' | 'sessionName'>;
  results(settings: Settings, deps: Pick<PlatformDeps, 'log' | 'signal'>): PlatformResults;
  /**
   * `creative-flow login`: signs in where a person must (TJ's captcha, in a visible browser) and
   * saves the session the daemon then uses; where to, returned. Absent where credentials alone open
   * the platform.
   */
  signIn?(
    settings: Settings,
    deps: Pick<PlatformDeps, 'layout' | 'storage' | 'log'>,
    options: { readonly headless: boolean; readonly waitForPersonMs: number },
  ): Promise<string>;
  /** What this machine must have for the platform (TJ: a Chromium that starts), as `check`'s machine lines. */
  machineCheck?(settings: Settings): Promise<CheckLine[]>;
  /** `creative-flow check`: a read-only probe, one line per thing looked at. */
  check(
    settings: Settings,
    deps: Pick<PlatformDeps, 'layout' | 'storage' | 'log'>,
    options: { readonly campaignId?: string | undefined },
  ): Promise<CheckLine[]>;
  /** Its settings from `.env` and the environment (merged, by key), for a platform `config.ts` does not know. */
  readSettings?(env: Readonly<Record<string, string | undefined>>): Settings;
}

/** A platform `config.ts` does not know: it reads its own settings, which makes it registrable (`registerPlatform`). */
export type SelfConfiguredModule<Settings> = PlatformModule<Settings> &
  Required<Pick<PlatformModule<Settings>, 'readSettings'>>;

/** A platform's module with its settings given: what the app, `check`, `login` and `status` use. */
export interface Platform {
  readonly id: PlatformId;
  readonly name: string;
  readonly refusal: string;
  statusFile(layout: Layout): string;
  libraryCacheFile(layout: Layout): string;
  uploadPlan(): UploadPlan;
  connection(deps: PlatformDeps): Pick<ConnectionDeps, 'open' | 'session' | 'credentials' | 'sessionName'>;
  results(deps: Pick<PlatformDeps, 'log' | 'signal'>): PlatformResults;
  signIn?(
    deps: Pick<PlatformDeps, 'layout' | 'storage' | 'log'>,
    options: { readonly headless: boolean; readonly waitForPersonMs: number },
  ): Promise<string>;
  machineCheck?(): Promise<CheckLine[]>;
  check(
    deps: Pick<PlatformDeps, 'layout' | 'storage' | 'log'>,
    options: { readonly campaignId?: string | undefined },
  ): Promise<CheckLine[]>;
}

/** `module` with `settings` given to each of its parts. */
export function bindPlatform<S>(module: PlatformModule<S>, settings: S): Platform {
  return {
    id: module.id,
    name: module.name,
    refusal: module.refusal,
    statusFile: (layout) => module.statusFile(layout),
    libraryCacheFile: (layout) => module.libraryCacheFile(layout),
    uploadPlan: () => module.uploadPlan(settings),
    connection: (deps) => module.connection(settings, deps),
    results: (deps) => module.results(settings, deps),
    check: (deps, options) => module.check(settings, deps, options),
    ...(module.signIn
      ? { signIn: (deps, options) => module.signIn?.(settings, deps, options) ?? Promise.resolve('') }
      : {}),
    ...(module.machineCheck ? { machineCheck: async () => (await module.machineCheck?.(settings)) ?? [] } : {}),
  };
}

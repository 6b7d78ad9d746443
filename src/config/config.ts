import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import cron from 'node-cron';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { Layout } from '../core/layout.js';
import { platformIds, type PlatformId } from '../core/platform.js';
import type { NamingTokens } from '../core/record.js';
import { StorageRepository } from '../store/storage.repository.js';
import { DEFAULT_TEMPLATE, type CampaignTemplate } from './campaign-template.js';
import { EXO_PROFILE, TJ_PROFILE, validateProfile, type ExoProfile, type PlatformProfile } from './profile.js';
import { isSafeExoApiUrl } from '../platform/exoclick/api-url.js';
import { isSafeApiUrl, SAFE_API_URL_RULE } from '../core/api-url.js';

export interface Config {
  readonly layout: Layout;
  /** Uploads are simulated unless this is false (`--live` or `DRY_RUN=false`). */
  readonly dryRun: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A one-shot command's log: `LOG_LEVEL` (or `--log-level`, `--verbose`) when given, else warnings only, so its output is its result. */
  readonly commandLogLevel: Config['logLevel'];
  /**
   * Probes and conversions at once. One more than the cores: a core is not left idle while a job
   * starts or waits on the disk (measured in `npm run bench`).
   */
  readonly concurrency: number;
  /** A file is stable once its size and mtime have not changed for this long. */
  readonly stabilityMs: number;
  /** node-cron expression (seconds allowed) for the pass that compares `inbox/` with the database. */
  readonly reconcileCron: string;
  /** On SIGTERM, how long the current files may take to finish before they are abandoned. */
  readonly shutdownGraceMs: number;
  /** Transient failures of one file before it waits for a person (or `process --once`). */
  readonly maxAttempts: number;
  /** Minimum spacing of rewrites of `creative_inventory.csv` while the daemon runs. */
  readonly inventoryDebounceMs: number;
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
  /** TJ's sign-in page and app; the simulator prints values that point at it. */
  readonly tjLoginUrl: string;
  readonly tjAppUrl: string;
  readonly tjUsername: string | undefined;
  /** A credential: never logged, never written anywhere but the environment or `.env`. */
  readonly tjPassword: string | undefined;
  /** Where each creative is sent (`PLATFORMS=tj,exoclick`); TJ alone by default. */
  readonly platforms: readonly PlatformId[];
  /** `.env`, the environment and the flags, merged by key: where a registered platform reads its own settings. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** TJ's reporting API, e.g. `https://api.trafficjunky.com/api`: per-ad figures, read for each creative's results. */
  readonly tjApiUrl: string;
  /** TJ's reporting API key: a credential, never logged, `.env` only. Unset, TJ's results are not fetched. */
  readonly tjApiKey: string | undefined;
  /** ExoClick's API v2 base, e.g. `https://api.exoclick.com/v2/`. */
  readonly exoApiUrl: string;
  /** ExoClick's permanent API token: a credential, never logged, `.env` only. */
  readonly exoApiToken: string | undefined;
  /** The ExoClick goal id whose conversions count in results; every goal (`goals.total`) when unset. */
  readonly exoConversionGoal: string | undefined;
  /** ExoClick's limits; its size limits are settings (`EXO_*_MAX_BYTES`). */
  readonly exoProfile: ExoProfile;
  /** A Chromium binary to use instead of /usr/bin/chromium or Playwright's own. */
  readonly chromiumPath: string | undefined;
  /** Files per upload batch: at most 10, under TJ's page of 12 cards. */
  readonly uploadBatchSize: number;
  /** Pause between two upload batches, so TJ sees one calm browser. */
  readonly uploadPaceMs: number;
  /** node-cron expression for the daemon's upload passes. */
  readonly uploadCron: string;
  /** Passes a file's upload may fail for reasons not its own before it is marked failed for a person. */
  readonly uploadMaxPasses: number;
  /** Passes a hands-off campaign (tracking/campaign_targets.csv) may fail before it waits for a person. */
  readonly campaignMaxAttempts: number;
  /** Pages read per listing by `refresh-library` and `sync-status`: a safety limit. */
  readonly libraryMaxPages: number;
  /** node-cron expression for the daemon's review-status sync (live runs only). */
  readonly syncCron: string;
  /** node-cron expression for the daily report; by default at the end of the day. */
  readonly reportCron: string;
  /** What the generated campaign CSVs put in every ad; TJ's `{macros}` are kept verbatim. */
  readonly campaign: CampaignTemplate;
  /** The dashboard and local API on 127.0.0.1; 0 turns them off (and commands then cannot reach a running daemon). */
  readonly dashboardPort: number;
  /** Where notifications go: a JSON POST in the form Slack, Discord and Teams accept. A secret: never logged. */
  readonly notifyWebhookUrl: string | undefined;
  /** Screenshots, temporary files and reports older than this many days are pruned. */
  readonly retentionDays: number;
  /** A saved TJ session older than this many days is dropped (a fresh sign-in replaces it). */
  readonly sessionMaxDays: number;
  /** The daemon's log file is rotated at this size (`10m`, `500k`) and daily. */
  readonly logRotateSize: string;
  /** Rotated log files kept. */
  readonly logKeep: number;
  /** node-cron expression for housekeeping (retention); it also runs once at start-up. */
  readonly housekeepingCron: string;
  /** node-cron expression for fetching results from the platforms' reporting APIs; hourly by default. */
  readonly resultsCron: string;
  /** Days of results fetched again every time, today included: platforms restate the last few. */
  readonly resultsWindowDays: number;
  /** How far back a day with no results stored is fetched (once). */
  readonly resultsLookbackDays: number;
  /** Impressions under which a creative's verdict is `watch`. */
  readonly resultsMinImpressions: number;
  /** Conversions before a creative's cost per conversion is trusted on its own. */
  readonly resultsMinConversions: number;
  /** At or under this share of the others' median cost per conversion, a creative is `scale`. */
  readonly resultsScaleAt: number;
  /** At or over this multiple of it, `kill`. */
  readonly resultsKillAt: number;
  /** A creative with no conversion is `kill` once it spent what this many conversions cost at the others' median. */
  readonly resultsKillSpend: number;
  /** Naming tokens used when neither the file name nor `metadata_defaults.csv` gives one. */
  readonly defaults: Partial<NamingTokens>;
  readonly profile: PlatformProfile;
}

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(min).max(max);
const optionalText = z.string().trim().min(1).optional();
const positiveNumber = z.coerce.number({ error: 'must be a number' }).positive('must be above 0');
const cronExpression = z
  .string()
  .refine((value) => cron.validate(value), 'must be a cron expression, such as "*/30 * * * * *"');

/** Each setting, the environment variable that sets it, and its check. Defaults are the schema's. */
const SETTINGS = {
  dryRun: { env: 'DRY_RUN', schema: z.stringbool({ error: 'must be true or false' }).default(true) },
  logLevel: {
    env: 'LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  concurrency: { env: 'CONCURRENCY', schema: wholeNumber(1, 64).default(os.availableParallelism() + 1) },
  stabilityMs: { env: 'STABILITY_MS', schema: wholeNumber(0).default(2_000) },
  reconcileCron: { env: 'RECONCILE_CRON', schema: cronExpression.default('*/30 * * * * *') },
  shutdownGraceMs: { env: 'SHUTDOWN_GRACE_MS', schema: wholeNumber(0).default(20_000) },
  maxAttempts: { env: 'MAX_ATTEMPTS', schema: wholeNumber(1, 100).default(3) },
  inventoryDebounceMs: { env: 'INVENTORY_DEBOUNCE_MS', schema: wholeNumber(0).default(2_000) },
  ffmpegPath: { env: 'FFMPEG_PATH', schema: optionalText },
  ffprobePath: { env: 'FFPROBE_PATH', schema: optionalText },
  tjLoginUrl: {
    env: 'TJ_LOGIN_URL',
    schema: z.url({ error: 'must be a URL' }).default('https://www.trafficjunky.com/sign-in'),
  },
  tjAppUrl: {
    env: 'TJ_APP_URL',
    schema: z.url({ error: 'must be a URL' }).default('https://advertiser.trafficjunky.com'),
  },
  tjUsername: { env: 'TJ_USERNAME', schema: optionalText },
  tjPassword: { env: 'TJ_PASSWORD', schema: optionalText },
  platforms: {
    env: 'PLATFORMS',
    schema: z
      .string()
      .default('tj')
      .transform(platformNames)
      .pipe(
        z
          .array(z.string())
          .min(1, 'must name at least one platform')
          // Checked when read, not when this module loads: the registry may add a platform before.
          .superRefine((ids, context) => {
            if (ids.every((id) => platformIds().includes(id))) return;
            context.addIssue({
              code: 'custom',
              message: `must list platforms from ${platformIds().join(', ')}, comma-separated`,
            });
          }),
      ),
  },
  tjApiUrl: {
    env: 'TJ_API_URL',
    // The API key rides in every request's query: https, or http to this machine (the simulator).
    schema: z
      .url({ error: 'must be a URL' })
      .refine(isSafeApiUrl, SAFE_API_URL_RULE)
      .default('https://api.trafficjunky.com/api'),
  },
  tjApiKey: { env: 'TJ_API_KEY', schema: optionalText },
  exoApiUrl: {
    env: 'EXO_API_URL',
    // The API token and session tokens must not cross a network in the clear: https, or http to this machine (the simulator).
    schema: z
      .url({ error: 'must be a URL' })
      .refine(
        isSafeExoApiUrl,
        'must be an https address (plain http only to this machine: localhost, 127.0.0.1, ::1), with no user name or password in it',
      )
      .default('https://api.exoclick.com/v2/'),
  },
  exoApiToken: { env: 'EXO_API_TOKEN', schema: optionalText },
  exoConversionGoal: { env: 'EXO_CONVERSION_GOAL', schema: optionalText },
  exoImageMaxBytes: { env: 'EXO_IMAGE_MAX_BYTES', schema: wholeNumber(1).default(EXO_PROFILE.imageMaxBytes) },
  exoVideoBannerMaxBytes: {
    env: 'EXO_VIDEO_BANNER_MAX_BYTES',
    schema: wholeNumber(1).default(EXO_PROFILE.videoBannerMaxBytes),
  },
  exoVideoMaxBytes: { env: 'EXO_VIDEO_MAX_BYTES', schema: wholeNumber(1).default(EXO_PROFILE.videoMaxBytes) },
  chromiumPath: { env: 'CHROMIUM_PATH', schema: optionalText },
  uploadBatchSize: { env: 'UPLOAD_BATCH_SIZE', schema: wholeNumber(1, 10).default(10) },
  uploadPaceMs: { env: 'UPLOAD_PACE_MS', schema: wholeNumber(0).default(2_000) },
  uploadCron: { env: 'UPLOAD_CRON', schema: cronExpression.default('*/30 * * * * *') },
  uploadMaxPasses: { env: 'UPLOAD_MAX_PASSES', schema: wholeNumber(1, 1_000).default(5) },
  campaignMaxAttempts: { env: 'CAMPAIGN_MAX_ATTEMPTS', schema: wholeNumber(1, 100).default(3) },
  libraryMaxPages: { env: 'LIBRARY_MAX_PAGES', schema: wholeNumber(1, 100_000).default(500) },
  syncCron: { env: 'SYNC_CRON', schema: cronExpression.default('0 */30 * * * *') },
  reportCron: { env: 'REPORT_CRON', schema: cronExpression.default('55 23 * * *') },
  dashboardPort: { env: 'DASHBOARD_PORT', schema: wholeNumber(0, 65_535).default(4790) },
  notifyWebhookUrl: {
    env: 'NOTIFY_WEBHOOK_URL',
    schema: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  },
  retentionDays: { env: 'RETENTION_DAYS', schema: wholeNumber(1, 3_650).default(30) },
  sessionMaxDays: { env: 'SESSION_MAX_DAYS', schema: wholeNumber(1, 365).default(7) },
  logRotateSize: {
    env: 'LOG_ROTATE_SIZE',
    schema: z
      .string()
      .regex(/^\d+[kmg]?$/i, 'must be a size such as 10m or 500k')
      .default('10m'),
  },
  logKeep: { env: 'LOG_KEEP', schema: wholeNumber(1, 365).default(14) },
  housekeepingCron: { env: 'HOUSEKEEPING_CRON', schema: cronExpression.default('0 4 * * *') },
  resultsCron: { env: 'RESULTS_CRON', schema: cronExpression.default('17 * * * *') },
  resultsWindowDays: { env: 'RESULTS_WINDOW_DAYS', schema: wholeNumber(1, 31).default(3) },
  resultsLookbackDays: { env: 'RESULTS_LOOKBACK_DAYS', schema: wholeNumber(1, 366).default(30) },
  resultsMinImpressions: { env: 'RESULTS_MIN_IMPRESSIONS', schema: wholeNumber(0).default(1_000) },
  resultsMinConversions: { env: 'RESULTS_MIN_CONVERSIONS', schema: wholeNumber(1).default(3) },
  resultsScaleAt: { env: 'RESULTS_SCALE_AT', schema: positiveNumber.max(1, 'must be at most 1').default(0.67) },
  resultsKillAt: { env: 'RESULTS_KILL_AT', schema: positiveNumber.min(1, 'must be at least 1').default(2) },
  resultsKillSpend: { env: 'RESULTS_KILL_SPEND', schema: positiveNumber.default(2.5) },
  campaignTargetUrl: { env: 'CAMPAIGN_TARGET_URL', schema: z.string().min(1).default(DEFAULT_TEMPLATE.targetUrl) },
  campaignHeadline: { env: 'CAMPAIGN_HEADLINE', schema: z.string().min(1).default(DEFAULT_TEMPLATE.headline) },
  campaignBrand: { env: 'CAMPAIGN_BRAND', schema: z.string().min(1).default(DEFAULT_TEMPLATE.brand) },
  campaignCtaText: { env: 'CAMPAIGN_CTA_TEXT', schema: z.string().min(1).default(DEFAULT_TEMPLATE.ctaText) },
  campaignCtaUrl: { env: 'CAMPAIGN_CTA_URL', schema: z.string().min(1).default(DEFAULT_TEMPLATE.ctaUrl) },
} as const;

/** `PLATFORMS` as written (`tj, ExoClick`): its names, lower-cased, each once. */
export function platformNames(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((part) => part.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

/** Every setting's environment variable, as `.env.example` must list them. */
export const SETTING_KEYS: readonly string[] = Object.values(SETTINGS).map((setting) => setting.env);

const DEFAULT_TOKENS = {
  language: { env: 'DEFAULT_LANGUAGE', fallback: 'EN' },
  category: { env: 'DEFAULT_CATEGORY', fallback: undefined },
  modelSex: { env: 'DEFAULT_MODEL_SEX', fallback: undefined },
  style: { env: 'DEFAULT_STYLE', fallback: undefined },
  rating: { env: 'DEFAULT_RATING', fallback: undefined },
  description: { env: 'DEFAULT_DESCRIPTION', fallback: 'Generic' },
  creator: { env: 'DEFAULT_CREATOR', fallback: undefined },
  testId: { env: 'DEFAULT_TEST_ID', fallback: undefined },
} as const satisfies Record<keyof NamingTokens, { env: string; fallback: string | undefined }>;

export interface ConfigSources {
  /** `--root`; else `CREATIVE_FLOW_ROOT`; else the working directory. */
  readonly root?: string | undefined;
  /** Settings from the command line, by environment variable name; they win over everything. */
  readonly flags?: Readonly<Record<string, string | undefined>>;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly storage?: StorageRepository;
}

/** Reads and checks the configuration. Throws a {@link ConfigError} naming the first bad key. */
export async function loadConfig(sources: ConfigSources = {}): Promise<Config> {
  const env = sources.env ?? process.env;
  const storage = sources.storage ?? new StorageRepository();
  const root = path.resolve(sources.cwd ?? process.cwd(), sources.root ?? env.CREATIVE_FLOW_ROOT ?? '.');
  await ensureRootFolder(root, storage);
  const merged: Record<string, string | undefined> = {
    ...(await readDotEnv(root, storage)),
    ...definedOnly(env),
    ...definedOnly(sources.flags ?? {}),
  };

  const values: Record<string, unknown> = {};
  for (const [field, { env: key, schema }] of Object.entries(SETTINGS)) {
    const raw = merged[key] === '' ? undefined : merged[key];
    const parsed = schema.safeParse(raw);
    if (!parsed.success)
      throw new ConfigError(key, `${parsed.error.issues[0]?.message ?? 'is invalid'} (${gotValue(key, raw)})`);
    values[field] = parsed.data;
  }

  const defaults: Partial<Record<keyof NamingTokens, string>> = {};
  for (const [token, { env: key, fallback }] of Object.entries(DEFAULT_TOKENS)) {
    const value = merged[key]?.trim() || fallback;
    if (value) defaults[token as keyof NamingTokens] = value;
  }

  const profile = validateProfile(TJ_PROFILE);
  if (!profile.ok) throw new ConfigError(profile.key, profile.message);

  const campaign: CampaignTemplate = {
    targetUrl: String(values.campaignTargetUrl),
    headline: String(values.campaignHeadline),
    brand: String(values.campaignBrand),
    ctaText: String(values.campaignCtaText),
    ctaUrl: String(values.campaignCtaUrl),
  };
  const exoProfile: ExoProfile = {
    ...EXO_PROFILE,
    imageMaxBytes: Number(values.exoImageMaxBytes),
    videoBannerMaxBytes: Number(values.exoVideoBannerMaxBytes),
    videoMaxBytes: Number(values.exoVideoMaxBytes),
  };
  const platforms = values.platforms as PlatformId[];
  const { exoImageMaxBytes: _image, exoVideoBannerMaxBytes: _banner, exoVideoMaxBytes: _video, ...settings } = values;
  const logLevelGiven = (merged.LOG_LEVEL ?? '') !== '';
  const commandLogLevel = logLevelGiven ? (values.logLevel as Config['logLevel']) : 'warn';
  return {
    ...(settings as Omit<
      Config,
      'layout' | 'defaults' | 'profile' | 'campaign' | 'exoProfile' | 'platforms' | 'commandLogLevel' | 'env'
    >),
    commandLogLevel,
    platforms,
    env: merged,
    campaign,
    layout: new Layout(root),
    defaults,
    profile: profile.profile,
    exoProfile,
  };
}

/** Settings whose whole value is a secret: a webhook URL carries its channel's key in its path. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'TJ_PASSWORD',
  'TJ_API_KEY',
  'EXO_API_TOKEN',
  'NOTIFY_WEBHOOK_URL',
]);

/** What a config error says it was given: never a secret's value, nor a password inside a URL. */
function gotValue(key: string, raw: string | undefined): string {
  if (raw !== undefined && SECRET_SETTINGS.has(key))
    return `its value is not shown: it is a secret, ${raw.length} characters long`;
  return `got "${raw === undefined ? raw : redactText(raw)}"`;
}

function definedOnly(record: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** `.env` in the root: the settings a person keeps beside their creatives. */
export function dotEnvPath(root: string): string {
  return path.join(root, '.env');
}

async function readDotEnv(root: string, storage: StorageRepository): Promise<Record<string, string>> {
  let text: string | undefined;
  try {
    text = await storage.readText(dotEnvPath(root));
  } catch (error) {
    throw new ConfigError('.env', `cannot be read: ${(error as Error).message}`);
  }
  return text === undefined ? {} : (parseEnv(text) as Record<string, string>);
}

async function ensureRootFolder(root: string, storage: StorageRepository): Promise<void> {
  try {
    await storage.ensureWritableDir(root);
  } catch (error) {
    throw new ConfigError(
      'root',
      `"${root}" is not a writable folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      'Pass --root DIR or set CREATIVE_FLOW_ROOT to a folder you can write to.',
    );
  }
}

import type { Config } from '../config/config.js';
import { firstMappedCampaign } from '../campaigns/campaign-mapping.js';
import { ConfigError, describeError } from '../core/errors.js';
import { locateFfmpeg, verifyFfmpeg } from '../media/ffmpeg-binaries.js';
import { chromiumExecutable, launchBrowser } from '../platform/tj/browser.js';
import type { CheckLine } from '../platform/check-line.js';
import { parseKnownFakes, withKnownFake } from '../ingest/known-fakes.js';
import type { Logger } from '../core/logger.js';
import { SessionStatusFile } from '../platform/session-status.js';
import { Evidence } from '../platform/tj/evidence.js';
import { SessionFile, signInWithBrowser } from '../platform/tj/tj-session.js';
import { PLATFORMS, type PlatformSettings } from '../platform/registry.js';
import type { PlatformDeps } from '../platform/platform-module.js';
import { platformSettings } from '../config/platform-settings.js';
import type { PlatformId } from '../core/platform.js';
import { statusReport, type StatusReport } from '../report/status-report.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';

/** Jobs that run beside a daemon holding the root: they take no lock and change no record. */

/**
 * Signs in to TJ in a visible browser (a person solves the captcha) and saves the session where
 * the daemon finds it; a daemon paused for a login resumes on its own.
 */
export async function login(config: Config, log: Logger, options: { headless: boolean; waitMinutes: number }): Promise<string> {
  const storage = new StorageRepository();
  const session = new SessionFile(config.layout.sessionFile, storage);
  await signInWithBrowser(platformSettings(config).tj.connection, session, new Evidence(config.layout, storage, log), { headless: options.headless, waitForPersonMs: options.waitMinutes * 60_000 });
  // Whatever stopped work on TJ is over: `status` says so now, and a daemon resumes on its next pass.
  await new SessionStatusFile(PLATFORMS.tj.statusFile(config.layout), storage).clear();
  return session.file;
}

/**
 * Adds a file's SHA-256 to `tracking/known_fakes.csv`, so files with its bytes are set aside as
 * rejected with `reason`. The list is re-read when it changes, so a running daemon applies it at once.
 */
export async function blockFile(config: Config, file: string, reason: string): Promise<{ hash: string; list: string }> {
  const storage = new StorageRepository();
  if (!(await storage.stat(file))) throw new ConfigError('FILE', `"${file}" is not a file`, 'Give the path of a file with the bytes to block.');
  const hash = await storage.hashFile(file);
  const list = config.layout.knownFakesCsv;
  const current = parseKnownFakes((await storage.readText(list)) ?? '', list);
  await storage.writeFileAtomic(list, withKnownFake(current, hash, reason));
  return { hash, list };
}

/**
 * `creative-flow check`: this machine (ffmpeg, Chromium, folders that can be written), then a
 * read-only probe of each enabled platform: TJ one line per selector, ExoClick its login, library
 * and a campaign's read (its way of creating variations shows only by creating one). Nothing is
 * uploaded or submitted.
 */
export async function check(config: Config, log: Logger, options: { campaignId?: string | undefined } = {}): Promise<CheckLine[]> {
  const storage = new StorageRepository();
  const machine = await checkMachine(config);
  const lines = [...machine];
  const settings = platformSettings(config);
  for (const id of config.platforms) {
    const campaignId = options.campaignId ?? (await firstMappedCampaign(config.layout.campaignMappingCsv, storage, id));
    lines.push(...(await checkPlatform(id, settings, { layout: config.layout, storage, log }, { campaignId })));
  }
  return lines;
}

/** This machine: ffmpeg (with libx264), Chromium, and folders of the root that take writes; each failure says how to fix it. */
export async function checkMachine(config: Config): Promise<CheckLine[]> {
  const storage = new StorageRepository();
  const machine: CheckLine[] = [];
  const line = (name: string, ok: boolean, detail: string): void => void machine.push({ name, selector: '', result: ok ? 'ok' : 'failed', detail });
  try {
    const binaries = locateFfmpeg(config, undefined, storage);
    await verifyFfmpeg(binaries);
    line('machine.ffmpeg', true, `${binaries.ffmpeg} runs, with libx264`);
  } catch (error) {
    line('machine.ffmpeg', false, describeError(error));
  }
  try {
    await (await launchBrowser({ headless: true, chromiumPath: config.chromiumPath })).close();
    line('machine.chromium', true, chromiumExecutable(config.chromiumPath) ?? "Playwright's own Chromium");
  } catch (error) {
    line('machine.chromium', false, describeError(error));
  }
  const refused = [];
  for (const dir of [...config.layout.folders, config.layout.tracking]) if ((await storage.diskState(dir)) !== 'ok') refused.push(config.layout.rel(dir) || '.');
  line('machine.folders', refused.length === 0, refused.length === 0 ? 'inbox/, uploaded/, archive/, tracking/ and data/ take writes' : `cannot write to ${refused.join(', ')}`);
  return machine;
}

/** Counts per state and the last errors, read without the lock: safe beside a running daemon. */
export async function readStatus(config: Config): Promise<StatusReport> {
  const storage = new StorageRepository();
  const creatives = await CreativeRepository.open(config.layout.db, storage, { readOnly: true });
  const platforms = await Promise.all(config.platforms.map(async (platform) => ({ platform, waiting: await new SessionStatusFile(PLATFORMS[platform].statusFile(config.layout), storage).read() })));
  return statusReport(creatives, platforms);
}

/** One platform's `check`, with its own slice of the settings. */
function checkPlatform<P extends PlatformId>(id: P, settings: PlatformSettings, deps: Pick<PlatformDeps, 'layout' | 'storage' | 'log'>, options: { campaignId?: string | undefined }): Promise<CheckLine[]> {
  return PLATFORMS[id].check(settings[id], deps, options);
}

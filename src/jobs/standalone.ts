import type { Config } from '../config/config.js';
import { firstMappedCampaign } from '../campaigns/campaign-mapping.js';
import { ConfigError, describeError } from '../core/errors.js';
import { locateFfmpeg, verifyFfmpeg } from '../media/ffmpeg-binaries.js';
import type { CheckLine } from '../platform/check-line.js';
import { parseKnownFakes, withKnownFake } from '../ingest/known-fakes.js';
import type { Logger } from '../core/logger.js';
import { SessionStatusFile } from '../platform/session-status.js';
import { enabledPlatforms } from '../config/platform-settings.js';
import { statusReport, type StatusReport } from '../report/status-report.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';

/** Jobs that run beside a daemon holding the root: they take no lock and change no record. */

/**
 * Signs in to each enabled platform that needs a person for it (TJ, in a visible browser where a
 * person solves the captcha) and saves the session where the daemon finds it; a daemon paused for
 * a login resumes on its own. Where the sessions went.
 */
export async function login(
  config: Config,
  log: Logger,
  options: { headless: boolean; waitMinutes: number },
): Promise<string[]> {
  const storage = new StorageRepository();
  const saved: string[] = [];
  for (const platform of enabledPlatforms(config)) {
    if (!platform.signIn) continue;
    const waitForPersonMs = options.waitMinutes * 60_000;
    saved.push(
      await platform.signIn({ layout: config.layout, storage, log }, { headless: options.headless, waitForPersonMs }),
    );
    // Whatever stopped work on the platform is over: `status` says so now, and a daemon resumes on its next pass.
    await new SessionStatusFile(platform.statusFile(config.layout), storage).clear();
  }
  if (saved.length === 0)
    throw new ConfigError(
      'PLATFORMS',
      'No enabled platform signs in with a person',
      'Enable TJ in PLATFORMS: ExoClick needs only its API token in .env.',
    );
  return saved;
}

/**
 * Adds a file's SHA-256 to `tracking/known_fakes.csv`, so files with its bytes are set aside as
 * rejected with `reason`. The list is re-read when it changes, so a running daemon applies it at once.
 */
export async function blockFile(config: Config, file: string, reason: string): Promise<{ hash: string; list: string }> {
  const storage = new StorageRepository();
  if (!(await storage.stat(file)))
    throw new ConfigError('FILE', `"${file}" is not a file`, 'Give the path of a file with the bytes to block.');
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
export async function check(
  config: Config,
  log: Logger,
  options: { campaignId?: string | undefined } = {},
): Promise<CheckLine[]> {
  const storage = new StorageRepository();
  const machine = await checkMachine(config);
  const lines = [...machine];
  for (const platform of enabledPlatforms(config)) {
    const mapping = config.layout.campaignMappingCsv;
    const campaignId = options.campaignId ?? (await firstMappedCampaign(mapping, storage, platform.id));
    lines.push(...(await platform.check({ layout: config.layout, storage, log }, { campaignId })));
  }
  return lines;
}

/** This machine: ffmpeg (with libx264), Chromium, and folders of the root that take writes; each failure says how to fix it. */
export async function checkMachine(config: Config): Promise<CheckLine[]> {
  const storage = new StorageRepository();
  const machine: CheckLine[] = [];
  const line = (name: string, ok: boolean, detail: string): void =>
    void machine.push({ name, selector: '', result: ok ? 'ok' : 'failed', detail });
  try {
    const binaries = locateFfmpeg(config, undefined, storage);
    await verifyFfmpeg(binaries);
    line('machine.ffmpeg', true, `${binaries.ffmpeg} runs, with libx264`);
  } catch (error) {
    line('machine.ffmpeg', false, describeError(error));
  }
  for (const platform of enabledPlatforms(config)) machine.push(...((await platform.machineCheck?.()) ?? []));
  const refused = [];
  for (const dir of [...config.layout.folders, config.layout.tracking])
    if ((await storage.diskState(dir)) !== 'ok') refused.push(config.layout.rel(dir) || '.');
  line(
    'machine.folders',
    refused.length === 0,
    refused.length === 0
      ? 'inbox/, uploaded/, archive/, tracking/ and data/ take writes'
      : `cannot write to ${refused.join(', ')}`,
  );
  return machine;
}

/** Counts per state and the last errors, read without the lock: safe beside a running daemon. */
export async function readStatus(config: Config): Promise<StatusReport> {
  const storage = new StorageRepository();
  const creatives = await CreativeRepository.open(config.layout.db, storage, { readOnly: true });
  const platforms = await Promise.all(
    enabledPlatforms(config).map(async (platform) => ({
      platform: platform.id,
      waiting: await new SessionStatusFile(platform.statusFile(config.layout), storage).read(),
    })),
  );
  return statusReport(creatives, platforms);
}

import path from 'node:path';
import { parsePeopleCsv } from '../core/csv.js';
import { ConfigError, CreativeFlowError } from '../core/errors.js';
import { baseName } from '../core/files.js';
import { NOT_READY_SUFFIX, type Layout } from '../core/layout.js';
import { platformIds, type PlatformId } from '../core/platform.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { jobFromCsv, type CampaignJob } from './campaign-job.js';

/** TJ_tool's columns, so its users bring their file as it is; then ours (`platform`: empty is TJ). */
export const MAPPING_COLUMNS = ['campaign_id', 'csv_filename', 'campaign_name', 'enabled', 'platform'] as const;

export interface Mapping {
  /** The enabled rows (of the campaigns asked for), in the file's order. */
  readonly jobs: readonly CampaignJob[];
  /** Rows switched off with `enabled`. */
  readonly disabled: number;
  /** What is wrong, each starting with its line (the header is line 1). */
  readonly problems: readonly string[];
}

/** The mapping has rows that cannot run: listed with their lines, before anything starts. */
export class MappingError extends CreativeFlowError {
  constructor(
    file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file} has ${problems.length} row${problems.length === 1 ? '' : 's'} that cannot run:\n  ${problems.join('\n  ')}`,
      {
        hint: 'Fix them and run again, or add --skip-invalid to create the ads of the other rows. Nothing was created.',
      },
    );
  }
}

/**
 * Reads the campaign mapping and checks every row before anything is sent: a numeric campaign id,
 * a CSV that exists (in `tracking/Upload_CSV/`, or at a path from the root), written ready, and
 * within TJ's format and limits. `only` limits it to some campaign ids.
 */
export async function readMapping(
  file: string,
  layout: Layout,
  storage: StorageRepository,
  only?: ReadonlySet<string>,
): Promise<Mapping> {
  const label = path.relative(layout.root, file) || file;
  const text = await storage.readText(file);
  if (text === undefined)
    throw new ConfigError(
      label,
      'does not exist',
      `Write it with the columns ${MAPPING_COLUMNS.join(',')} (TJ_tool's format), one row per campaign, or give another file with --mapping.`,
    );
  const rows = parsePeopleCsv(text, label);
  const missingColumns = MAPPING_COLUMNS.filter(
    (column) =>
      column !== 'enabled' &&
      column !== 'campaign_name' &&
      column !== 'platform' &&
      rows[0] !== undefined &&
      !(column in rows[0]),
  );
  if (rows.length === 0 || missingColumns.length > 0)
    throw new ConfigError(
      label,
      rows.length === 0 ? 'has no campaigns' : `lacks the columns ${missingColumns.join(', ')}`,
      `Its header is ${MAPPING_COLUMNS.join(',')} (TJ_tool's format), one row per campaign.`,
    );

  const jobs: CampaignJob[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let disabled = 0;
  for (const [index, row] of rows.entries()) {
    const line = index + 2;
    const campaignId = row.campaign_id ?? '';
    const csvName = row.csv_filename ?? '';
    if (only && !only.has(campaignId)) continue;
    const enabled = parseEnabled(row.enabled ?? '');
    if (enabled === undefined) {
      problems.push(`line ${line}: enabled is "${row.enabled}"; use true or false`);
      continue;
    }
    if (!enabled) {
      disabled += 1;
      continue;
    }
    if (!/^\d+$/.test(campaignId)) problems.push(`line ${line}: campaign_id "${campaignId}" is not a number`);
    const platform = parsePlatform(row.platform ?? '');
    if (!platform) {
      problems.push(`line ${line}: platform is "${row.platform}"; use ${platformIds().join(' or ')} (empty is tj)`);
      continue;
    }
    if (csvName === '') {
      problems.push(`line ${line}: csv_filename is empty`);
      continue;
    }
    const key = `${platform}|${campaignId}|${csvName}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(`line ${line}: repeats line ${first}`);
      continue;
    }
    seen.set(key, line);
    const csvFile =
      csvName.includes('/') || csvName.includes(path.sep)
        ? path.resolve(layout.root, csvName)
        : path.join(layout.uploadCsvDir, csvName);
    if (baseName(csvFile).endsWith(NOT_READY_SUFFIX)) {
      problems.push(
        `line ${line}: ${csvName} was written with placeholder settings; set them in .env and use the file written again without ${NOT_READY_SUFFIX}`,
      );
      continue;
    }
    let csvText: string | undefined;
    try {
      csvText = await storage.readText(csvFile);
    } catch (error) {
      problems.push(
        `line ${line}: ${csvName} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
      continue;
    }
    if (csvText === undefined) {
      problems.push(
        `line ${line}: ${csvName} is not ${csvName === path.basename(csvName) ? `in ${path.relative(layout.root, layout.uploadCsvDir)}/` : 'there'}`,
      );
      continue;
    }
    const parsed = jobFromCsv(
      campaignId,
      row.campaign_name || `campaign ${campaignId}`,
      path.relative(layout.root, csvFile),
      csvText,
      platform,
    );
    const csvProblems = 'problems' in parsed ? parsed.problems : placeholders(parsed.job);
    if (csvProblems.length > 0) problems.push(...csvProblems.map((problem) => `line ${line}: ${csvName}: ${problem}`));
    else if ('job' in parsed && /^\d+$/.test(campaignId)) jobs.push(parsed.job);
  }
  for (const id of only ?? [])
    if (!rows.some((row) => row.campaign_id === id))
      problems.push(`--only ${id}: no row of ${label} has this campaign_id`);
  return { jobs, disabled, problems };
}

/** The first enabled campaign id of a platform in a mapping, for `check` to look at; none when there is no usable mapping. */
export async function firstMappedCampaign(
  file: string,
  storage: StorageRepository,
  platform: PlatformId = 'tj',
): Promise<string | undefined> {
  const rows = await storage
    .readText(file)
    .then((text) => (text === undefined ? [] : parsePeopleCsv(text, file)))
    .catch(() => []);
  return rows.find(
    (row) =>
      /^\d+$/.test(row.campaign_id ?? '') &&
      parseEnabled(row.enabled ?? '') === true &&
      parsePlatform(row.platform ?? '') === platform,
  )?.campaign_id;
}

/** Cells still holding the old scripts' placeholders (`PLACEHOLDER_URL`…): such ads must not reach TJ. */
function placeholders(job: CampaignJob): string[] {
  return job.ads.rows.flatMap((row, index) =>
    Object.entries(row)
      .filter(([, value]) => /placeholder/i.test(value))
      .map(([column, value]) => `line ${index + 2}: ${column} is still a placeholder (${value})`),
  );
}

/** Empty is TJ, as in TJ_tool's files, which have no such column. */
function parsePlatform(value: string): PlatformId | undefined {
  const normalized = value.trim().toLowerCase();
  if (normalized === '') return 'tj';
  return platformIds().find((id) => id === normalized);
}

/** TJ_tool writes `True`/`False`; people write yes, no, 1, 0, or leave it empty (enabled). */
function parseEnabled(value: string): boolean | undefined {
  const normalized = value.trim().toLowerCase();
  if (['', 'true', 'yes', 'y', '1'].includes(normalized)) return true;
  if (['false', 'no', 'n', '0'].includes(normalized)) return false;
  return undefined;
}

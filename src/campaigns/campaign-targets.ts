import { parsePeopleCsv } from '../core/csv.js';
import { ConfigError } from '../core/errors.js';
import { inboxFolders } from '../core/layout.js';
import type { AdKind } from '../core/platform.js';
import type { CreativeRecord } from '../core/record.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { WatchedFile } from '../store/watched-file.js';

export const TARGET_COLUMNS = ['folder', 'category', 'campaign_id', 'ad_type'] as const;

/** A hands-off rule: the creatives of a folder of `inbox/` and/or of a category go to these campaigns. */
export interface CampaignTarget {
  /** Under `inbox/`: `native/Promo` takes what is dropped there and below; `Promo` takes any folder of that name. */
  readonly folder: string | undefined;
  readonly category: string | undefined;
  readonly campaignIds: readonly string[];
  /** The ads the campaigns take: native, or pre-roll (in-stream). */
  readonly adType: AdKind;
}

/** Parses `folder,category,campaign_id,ad_type` rows; a bad row is named with its line. */
export function parseCampaignTargets(text: string, fileLabel = 'tracking/campaign_targets.csv'): CampaignTarget[] {
  return parsePeopleCsv(text, fileLabel).map((row, index) => {
    const line = `line ${index + 2}:`;
    const folder = cleanFolder(row.folder ?? '');
    const category = (row.category ?? '').trim();
    const campaignIds = (row.campaign_id ?? '').split(/[\s;|]+/).filter(Boolean);
    const adType = (row.ad_type ?? '').trim().toLowerCase();
    const fail = (message: string): never => {
      throw new ConfigError(
        fileLabel,
        `${line} ${message}`,
        `Each row is ${TARGET_COLUMNS.join(',')}: a folder under inbox/ and/or a category, one or more campaign ids, and native or preroll.`,
      );
    };
    if (!folder && !category) fail('names neither a folder nor a category');
    if (campaignIds.length === 0 || campaignIds.some((id) => !/^\d+$/.test(id)))
      fail(`campaign_id "${row.campaign_id ?? ''}" is not one or more numbers`);
    if (adType !== 'native' && adType !== 'preroll')
      fail(`ad_type "${row.ad_type ?? ''}" is neither native nor preroll`);
    return { folder: folder || undefined, category: category || undefined, campaignIds, adType: adType as AdKind };
  });
}

/** The campaigns a creative's ads of this kind go to, by the rules. */
export function campaignsFor(record: CreativeRecord, kind: AdKind, targets: readonly CampaignTarget[]): string[] {
  const folders = inboxFolders(record.source.path).map((folder) => folder.toLowerCase());
  const category = record.naming?.tokens.category.toLowerCase();
  const ids = targets
    .filter((target) => target.adType === kind)
    .filter((target) => target.folder === undefined || inFolder(folders, target.folder.toLowerCase()))
    .filter((target) => target.category === undefined || target.category.toLowerCase() === category)
    .flatMap((target) => target.campaignIds);
  return [...new Set(ids)];
}

function inFolder(folders: readonly string[], rule: string): boolean {
  const joined = folders.join('/');
  return rule.includes('/') ? joined === rule || joined.startsWith(`${rule}/`) : folders.includes(rule);
}

function cleanFolder(value: string): string {
  return value
    .trim()
    .replace(/\\/g, '/')
    .replace(/^\.?\/*(inbox\/)?/, '')
    .replace(/\/+$/, '');
}

/** `tracking/campaign_targets.csv` as it is now: edits apply while the daemon runs; a broken edit keeps the last good rules. */
export class CampaignTargetsFile {
  private readonly watched: WatchedFile<CampaignTarget[]>;

  constructor(file: string, storage: StorageRepository, onError: (error: ConfigError) => void) {
    this.watched = new WatchedFile<CampaignTarget[]>(file, storage, (text) => parseCampaignTargets(text), [], onError);
  }

  /** The rules; none (hands-off off) while the file does not exist. */
  current(strict = false): Promise<CampaignTarget[]> {
    return this.watched.current(strict);
  }
}

import { createHash } from 'node:crypto';
import type { AdsRequest, PlatformId } from '../core/platform.js';
import { parseCampaignCsv, renderCampaignRows, type ParsedCampaignCsv } from '../core/campaign-format.js';

/** Ads to create in one campaign from one CSV: what a run does, and what its checkpoint keys. */
export interface CampaignJob {
  /** The checkpoint's key: the platform (but TJ), the campaign and the CSV's file. */
  readonly key: string;
  /** Where the campaign is: TJ unless the mapping's `platform` says otherwise. */
  readonly platform: PlatformId;
  readonly campaignId: string;
  /** The mapping's name for the campaign, for people; TJ's own name is read from its page. */
  readonly label: string;
  /** The CSV's file, as the mapping or the batch names it. */
  readonly source: string;
  readonly ads: AdsRequest;
  /** SHA-256 of the rows as they would be sent: the same ads in a re-saved file hash the same. */
  readonly contentHash: string;
}

/** A job from a CSV already checked against TJ's format (`kind` set, no problems). */
export function campaignJob(
  campaignId: string,
  label: string,
  source: string,
  csv: ParsedCampaignCsv & { kind: NonNullable<ParsedCampaignCsv['kind']> },
  platform: PlatformId = 'tj',
): CampaignJob {
  const ads: AdsRequest = { kind: csv.kind, header: csv.header, rows: csv.rows };
  return {
    // TJ's keys stay as checkpoints written before ExoClick have them.
    key: platform === 'tj' ? `${campaignId}|${source}` : `${platform}:${campaignId}|${source}`,
    platform,
    campaignId,
    label,
    source,
    ads,
    contentHash: createHash('sha256').update(renderCampaignRows(ads.header, ads.rows)).digest('hex'),
  };
}

/** Parses a campaign CSV into a job, or says what breaks TJ's rules. */
export function jobFromCsv(
  campaignId: string,
  label: string,
  source: string,
  text: string,
  platform: PlatformId = 'tj',
): { job: CampaignJob } | { problems: readonly string[] } {
  const csv = parseCampaignCsv(text);
  const { kind } = csv;
  if (kind === undefined || csv.problems.length > 0) return { problems: csv.problems };
  return { job: campaignJob(campaignId, label, source, { ...csv, kind }, platform) };
}

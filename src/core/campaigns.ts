import type { AdProblem } from './platform.js';

/**
 * Where a campaign stands in a run. `in_progress` is written before anything is sent, so a run cut
 * short resumes it (the campaign's table is read first, and what it shows is not sent again).
 */
export type CampaignStatus = 'pending' | 'in_progress' | 'succeeded' | 'failed';

/** One campaign's entry in a checkpoint. */
export interface CampaignProgress {
  readonly campaignId: string;
  /** The CSV's file, as the mapping or the batch names it. */
  readonly source: string;
  /** SHA-256 of the CSV's rows: a campaign done with other content is done again. */
  readonly contentHash: string;
  readonly status: CampaignStatus;
  /** Runs that started it. */
  readonly attempts: number;
  /** As TJ shows it. */
  readonly campaignName?: string;
  /** Ad names created by this campaign's runs. */
  readonly created: readonly string[];
  /** Ad names found in the campaign before sending (a run cut short had created them). */
  readonly alreadyThere: readonly string[];
  /** Ads TJ refused: creatives not valid for the campaign. */
  readonly refused: readonly AdProblem[];
  /** Creative ids TJ called not valid. */
  readonly invalidIds: readonly string[];
  /** Ads sent but not in the table afterwards. */
  readonly missing: readonly AdProblem[];
  /** Why the campaign failed, in plain words. */
  readonly error?: string;
  /** The rows to send, as CSV: kept for work queued to run later (the daemon's hands-off campaigns). */
  readonly csv?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly updatedAt: string;
}

/** A run's checkpoint: `data/checkpoints/{name}.json`, written atomically after every campaign. */
export interface Checkpoint {
  readonly version: 1;
  /** The file's name: `run_{stamp}` for a `campaigns create` run, `hands-off` for the daemon's. */
  readonly name: string;
  readonly createdAt: string;
  /** The checkpoint a new run carried on from. */
  readonly resumedFrom?: string;
  readonly campaigns: Readonly<Record<string, CampaignProgress>>;
}

/** An ad's fate in a campaign, kept for the inventory (`tj_campaign_id`) and the daily report. */
export interface CampaignAdRecord {
  readonly campaignId: string;
  readonly campaignName: string;
  readonly adName: string;
  readonly creativeIds: readonly string[];
  readonly status: 'created' | 'refused';
  readonly reason?: string;
  /** ISO time it was recorded. */
  readonly at: string;
}

/** A campaign of the daemon's hands-off work that failed as often as it may: it waits for a person. */
export interface StuckCampaign {
  readonly campaignId: string;
  readonly source: string;
  readonly attempts: number;
  readonly error: string;
}

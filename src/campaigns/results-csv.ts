import { stringify } from 'csv-stringify/sync';
import type { CampaignProgress } from '../core/campaigns.js';
import { neutraliseCell } from '../core/csv.js';
import { creativeIdsOf } from '../core/campaign-format.js';
import type { CampaignResult } from './campaign-ads.service.js';

const COLUMNS = [
  'campaign_id',
  'campaign_name',
  'ad_name',
  'creative_ids',
  'status',
  'reason',
  'csv_file',
  'platform',
] as const;

/** `tracking/campaigns/results_*.csv`: one row per ad of every campaign in the run, with its fate. */
export function renderResultsCsv(results: readonly CampaignResult[]): string {
  const rows = results.flatMap(({ job, result, reason, progress }) =>
    job.ads.rows.map((row) => {
      const adName = row['Ad Name'] ?? '';
      const [status, why] = adStatus(adName, result, reason, progress);
      return [
        job.campaignId,
        progress?.campaignName ?? job.label,
        adName,
        creativeIdsOf(row, job.ads.kind).join(' '),
        status,
        why,
        job.source,
        job.platform,
      ];
    }),
  );
  // For people, never sent to TJ: campaign and ad names and TJ's reasons may look like formulas.
  return stringify([[...COLUMNS], ...rows.map((row) => row.map(neutraliseCell))], {
    record_delimiter: 'windows',
    bom: true,
  });
}

function adStatus(
  adName: string,
  result: CampaignResult['result'],
  reason: string | undefined,
  progress: CampaignProgress | undefined,
): [string, string] {
  if (result === 'skipped') return ['skipped', reason ?? ''];
  if (result === 'waiting' || result === 'would-run') return [result, reason ?? ''];
  if (progress?.created.includes(adName)) return ['created', ''];
  if (progress?.alreadyThere.includes(adName)) return ['already_there', 'already in the campaign, so not sent again'];
  const refused = progress?.refused.find((problem) => problem.adName === adName);
  if (refused) return ['refused', refused.reason];
  const missing = progress?.missing.find((problem) => problem.adName === adName);
  return ['failed', missing?.reason ?? reason ?? ''];
}

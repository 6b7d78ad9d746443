import { CREATIVE_COLUMNS } from '../platform/tj/campaign-format.js';
import { campaignJob, type CampaignJob } from './campaign-job.js';

/**
 * An ExoClick row of the mapping names the same campaign CSVs as TJ's rows: their creative ids are
 * TJ's. Each is replaced by the ExoClick file id of the same output, so one CSV serves both
 * platforms; an id that is no TJ id of ours is taken as an ExoClick id already. An output ExoClick
 * does not have (outside its limits, not uploaded yet) is a problem of its line.
 */
export function forExoClick(job: CampaignJob, ids: ReadonlyMap<string, string | undefined>): { job: CampaignJob } | { problems: string[] } {
  const problems: string[] = [];
  const rows = job.ads.rows.map((row, index) => {
    const translated: Record<string, string> = { ...row };
    for (const column of CREATIVE_COLUMNS[job.ads.kind]) {
      const id = row[column];
      if (!id || !ids.has(id)) continue;
      const exoId = ids.get(id);
      if (exoId) translated[column] = exoId;
      else problems.push(`line ${index + 2}: ${column} ${id} is not on ExoClick (see the inventory's exo_upload_status)`);
    }
    return translated;
  });
  if (problems.length > 0) return { problems };
  return { job: campaignJob(job.campaignId, job.label, job.source, { kind: job.ads.kind, header: job.ads.header, rows, problems: [] }, 'exoclick') };
}

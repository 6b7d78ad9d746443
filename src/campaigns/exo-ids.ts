import { CREATIVE_COLUMNS } from '../core/campaign-format.js';
import { campaignJob, type CampaignJob } from './campaign-job.js';

/**
 * An ExoClick row of the mapping names the same campaign CSVs as TJ's rows: their creative ids are
 * TJ's. Each is replaced by the ExoClick file id of the same output, so one CSV serves both
 * platforms; a CSV written with our ExoClick ids is taken as it is. An id that is neither is a
 * problem of its line: it could name another file on ExoClick. Only the first creative column is
 * sent (a variation is one file: a native pair's video, a preroll's video), so only it must be
 * there; the others are translated where they can be.
 *
 * `ids`: each TJ id of ours → its output's ExoClick id (undefined when ExoClick does not have
 * it), and each ExoClick id of ours → itself.
 */
export function forExoClick(
  job: CampaignJob,
  ids: ReadonlyMap<string, string | undefined>,
): { job: CampaignJob } | { problems: string[] } {
  const problems: string[] = [];
  const [sent, ...others] = CREATIVE_COLUMNS[job.ads.kind];
  const rows = job.ads.rows.map((row, index) => {
    const translated: Record<string, string> = { ...row };
    const id = sent ? row[sent] : undefined;
    if (sent && id) {
      const exoId = ids.get(id);
      if (exoId) translated[sent] = exoId;
      else
        problems.push(
          `line ${index + 2}: ${sent} ${id} ${ids.has(id) ? "is not on ExoClick (see the inventory's exo_upload_status)" : 'is no creative of ours, on TJ or ExoClick'}`,
        );
    }
    for (const column of others) {
      const exoId = row[column] ? ids.get(row[column] ?? '') : undefined;
      if (exoId) translated[column] = exoId;
    }
    return translated;
  });
  if (problems.length > 0) return { problems };
  return {
    job: campaignJob(
      job.campaignId,
      job.label,
      job.source,
      { kind: job.ads.kind, header: job.ads.header, rows, problems: [] },
      'exoclick',
    ),
  };
}

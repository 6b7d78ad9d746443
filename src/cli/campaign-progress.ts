import type { CampaignEvent, CampaignResult } from '../campaigns/campaign-ads.service.js';
import { ran, type CreateCampaignAdsResult } from '../jobs/campaign-jobs.js';
import { terminalBars, type TerminalBars } from './work-progress.js';

/** Shows a campaign run as it goes: a bar with done/total, rate and ETA on a terminal, plain lines elsewhere. */
export interface CampaignProgress {
  readonly onEvent: (event: CampaignEvent) => void;
  stop(): void;
}

export function campaignProgress(out: NodeJS.WriteStream): CampaignProgress {
  if (!out.isTTY)
    return {
      onEvent: (event) => event.type === 'campaign' && out.write(`${campaignLine(event.result)}\n`),
      stop: () => undefined,
    };
  const bars = terminalBars(out, 'campaigns {bar} {value}/{total} | {rate} | ETA {eta_formatted}');
  let bar: ReturnType<TerminalBars['create']> | undefined;
  let done = 0;
  const startedAt = Date.now();
  return {
    onEvent(event) {
      if (event.type === 'start') {
        bar = bars.create(event.total, 0, { rate: '–' });
        return;
      }
      bars.log(`${campaignLine(event.result)}\n`);
      done += 1;
      const perMinute = (done / Math.max(1, Date.now() - startedAt)) * 60_000;
      bar?.increment(1, { rate: `${perMinute.toFixed(1)}/min` });
    },
    stop: () => bars.stop(),
  };
}

/** One campaign's result in a line. */
export function campaignLine({ job, result, reason, progress }: CampaignResult): string {
  const name = progress?.campaignName ?? job.label;
  const counts =
    progress && (result === 'succeeded' || result === 'failed')
      ? [
          `${progress.created.length} created`,
          progress.alreadyThere.length ? `${progress.alreadyThere.length} already there` : '',
          progress.refused.length ? `${progress.refused.length} refused` : '',
        ]
          .filter(Boolean)
          .join(', ')
      : '';
  const mark = { succeeded: '✓', failed: '✗', skipped: '–', 'would-run': '→', waiting: '…' }[result];
  return `${mark} ${job.campaignId} ${name} (${job.source}): ${result}${counts ? `, ${counts}` : ''}${reason && result !== 'succeeded' ? `: ${reason}` : ''}`;
}

/** The end of a run: what succeeded, failed and why, the creatives TJ refused, what was skipped. */
export function campaignSummary(run: CreateCampaignAdsResult): string[] {
  const of = (wanted: CampaignResult['result']): CampaignResult[] =>
    run.results.filter((each) => each.result === wanted);
  const invalid = [
    ...new Set(run.results.flatMap((each) => (each.result === 'skipped' ? [] : (each.progress?.invalidIds ?? [])))),
  ];
  const lines = run.dryRun
    ? [
        `Dry run: ${of('would-run').length} campaign(s) would run, ${of('skipped').length} skipped. Nothing was sent and no checkpoint written; add --live (or set DRY_RUN=false) to create the ads.`,
      ]
    : [
        `Summary: ${of('succeeded').length} succeeded, ${of('failed').length} failed, ${of('skipped').length} skipped${of('waiting').length ? `, ${of('waiting').length} waiting` : ''}.`,
      ];
  for (const failed of of('failed'))
    lines.push(`  failed ${failed.job.campaignId} (${failed.job.source}): ${failed.reason ?? ''}`);
  if (invalid.length > 0) lines.push(`  creatives TJ called not valid: ${invalid.join(', ')}`);
  if (run.skippedRows.length > 0) lines.push(`  mapping rows left out (--skip-invalid): ${run.skippedRows.length}`);
  if (run.disabled > 0) lines.push(`  mapping rows disabled: ${run.disabled}`);
  if (run.stopped) lines.push(`  stopped: ${run.stopped}`);
  if (run.resultsFile) lines.push(`  results: ${run.resultsFile}`);
  if (run.results.some(ran)) lines.push(`  checkpoint: data/checkpoints/${run.checkpoint}.json`);
  return lines;
}

import { fileName } from '../core/files.js';
import { escapeHtml } from '../core/html.js';
import type { CampaignAdLine, DailyReport } from './daily-report.js';

function seconds(value: number | undefined): string {
  if (value === undefined) return '–';
  return value < 120 ? `${value.toFixed(0)} s` : `${(value / 60).toFixed(1)} min`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function renderMarkdown(report: DailyReport): string {
  const c = report.counts;
  const lines = [
    `# creative-flow daily report, ${report.date}`,
    '',
    '| received | staged | uploaded | duplicates | rejected (known fakes) | failed | still waiting |',
    '|---|---|---|---|---|---|---|',
    `| ${c.received} | ${c.staged} | ${c.uploaded} | ${c.duplicates} | ${c.rejected} (${c.knownFakes}) | ${c.failed} | ${c.waiting} |`,
    '',
    `- Review statuses on TJ: ${Object.entries(report.reviewStatuses).map(([status, n]) => `${status} ${n}`).join(', ') || 'none'}`,
    `- Bytes saved by conversion: ${megabytes(report.bytesSaved)}`,
    `- Drop to upload: median ${seconds(report.dropToUpload.median)}, worst ${seconds(report.dropToUpload.worst)}`,
    '',
  ];
  if (report.attention.length > 0) lines.push('## Needs attention', '', ...report.attention.map((line) => `- ${line}`), '');
  for (const [title, items] of [['Rejected', report.rejected], ['Duplicates', report.duplicates], ['Failed', report.failed]] as const) {
    if (items.length === 0) continue;
    lines.push(`## ${title}`, '', ...items.map((item) => `- \`${item.file}\`: ${item.reason}`), '');
  }
  if (report.reviewChanges.length > 0) {
    lines.push('## Reviewed by TJ today', '', ...report.reviewChanges.map((change) => `- ${change.to}: \`${change.name}\` (${change.creativeId})`), '');
  }
  const { created, refused } = report.campaignAds;
  if (created.length > 0) {
    lines.push('## Ads created in campaigns', '');
    for (const [campaign, ads] of byCampaign(created)) lines.push(`- **${campaign}**: ${ads.map((ad) => `\`${ad.adName}\``).join(', ')}`);
    lines.push('');
  }
  if (refused.length > 0) lines.push('## Ads TJ refused', '', ...refused.map((ad) => `- **${ad.campaignName}** (${ad.campaignId}) \`${ad.adName}\`: ${ad.reason ?? ''}`), '');
  if (report.batches.length > 0) {
    lines.push('## Batches', '');
    for (const batch of report.batches) lines.push(`- Batch ${batch.batch}: [${batch.dir}](../../${batch.dir})${batch.csvs.map((csv) => `, [${fileName(csv)}](../../${csv})`).join('')}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** One page, no outside resources: thumbnails are embedded, so it opens anywhere. */
export function renderHtml(report: DailyReport, thumbnails: ReadonlyMap<string, string>): string {
  const c = report.counts;
  const cells = (Object.entries(c) as [string, number][]).map(([label, n]) => `<div class="count"><b>${n}</b><span>${label}</span></div>`).join('');
  const cards = report.creatives
    .map((creative) => {
      const thumbnail = thumbnails.get(creative.key);
      const picture = thumbnail ? `<img class="thumb" alt="${escapeHtml(creative.name)}" src="${thumbnail}">` : '<div class="thumb none">no picture</div>';
      const ids = creative.ids.length ? creative.ids.join(' / ') : '—';
      return `<figure class="creative ${creative.state}">${picture}<figcaption><div class="name">${escapeHtml(creative.name)}</div><div>TJ ${escapeHtml(ids)}</div><div class="state">${creative.state}${creative.reviewStatus ? ` · ${escapeHtml(creative.reviewStatus)}` : ''}</div>${creative.reason ? `<div class="reason">${escapeHtml(creative.reason)}</div>` : ''}</figcaption></figure>`;
    })
    .join('\n');
  const list = (title: string, items: readonly { file: string; reason: string }[]): string =>
    items.length ? `<h2>${title}</h2><ul>${items.map((item) => `<li><code>${escapeHtml(item.file)}</code>: ${escapeHtml(item.reason)}</li>`).join('')}</ul>` : '';
  const batches = report.batches
    .map((batch) => `<li>Batch ${batch.batch}: <a href="../../${escapeHtml(batch.dir)}">${escapeHtml(batch.dir)}</a>${batch.csvs.map((csv) => ` · <a href="../../${escapeHtml(csv)}">${escapeHtml(fileName(csv))}</a>`).join('')}</li>`)
    .join('');
  const campaignAds = [...byCampaign(report.campaignAds.created)].map(([campaign, ads]) => `<li><b>${escapeHtml(campaign)}</b>: ${ads.map((ad) => `<code>${escapeHtml(ad.adName)}</code>`).join(', ')}</li>`).join('');
  const refusedAds = report.campaignAds.refused.map((ad) => `<li><b>${escapeHtml(ad.campaignName)}</b> (${escapeHtml(ad.campaignId)}) <code>${escapeHtml(ad.adName)}</code>: ${escapeHtml(ad.reason ?? '')}</li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>creative-flow ${report.date}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}.counts{display:flex;gap:12px;flex-wrap:wrap}.count{border:1px solid #ddd;border-radius:6px;padding:8px 14px;text-align:center}.count b{display:block;font-size:24px}
.grid{display:flex;flex-wrap:wrap;gap:12px}.creative{width:220px;margin:0;border:1px solid #ddd;border-radius:6px;overflow:hidden}.thumb{width:220px;height:124px;object-fit:cover;display:block;background:#eee}
.none{display:flex;align-items:center;justify-content:center;color:#888}figcaption{padding:6px;font-size:12px}.name{font-weight:600;word-break:break-all}.rejected .state,.failed .state{color:#b00}.reason{color:#555}</style></head>
<body><h1>creative-flow, ${report.date}</h1><div class="counts">${cells}</div>
<p>Review statuses on TJ: ${Object.entries(report.reviewStatuses).map(([status, n]) => `${status} ${n}`).join(', ') || 'none'} · bytes saved by conversion: ${megabytes(report.bytesSaved)} · drop to upload: median ${seconds(report.dropToUpload.median)}, worst ${seconds(report.dropToUpload.worst)}</p>
${report.attention.length ? `<h2>Needs attention</h2><ul class="attention">${report.attention.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : ''}
${list('Rejected', report.rejected)}${list('Duplicates', report.duplicates)}${list('Failed', report.failed)}
${report.reviewChanges.length ? `<h2>Reviewed by TJ today</h2><ul>${report.reviewChanges.map((change) => `<li class="${change.to}">${change.to}: <code>${escapeHtml(change.name)}</code> (${change.creativeId})</li>`).join('')}</ul>` : ''}
${campaignAds ? `<h2>Ads created in campaigns</h2><ul>${campaignAds}</ul>` : ''}${refusedAds ? `<h2>Ads TJ refused</h2><ul>${refusedAds}</ul>` : ''}
${batches ? `<h2>Batches</h2><ul>${batches}</ul>` : ''}
<h2>Creatives handled</h2><div class="grid">${cards}</div></body></html>`;
}

/** Ads grouped under "Campaign name (id)". */
function byCampaign(ads: readonly CampaignAdLine[]): Map<string, CampaignAdLine[]> {
  const groups = new Map<string, CampaignAdLine[]>();
  for (const ad of ads) {
    const campaign = `${ad.campaignName} (${ad.campaignId})`;
    groups.set(campaign, [...(groups.get(campaign) ?? []), ad]);
  }
  return groups;
}

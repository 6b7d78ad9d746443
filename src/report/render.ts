import { fileName } from '../core/files.js';
import { Eta } from 'eta';
import type { CampaignAdLine, DailyReport, WinnerLine, WinnersSection } from './daily-report.js';
import { codeSpan, markdownText } from './markdown.js';

function seconds(value: number | undefined): string {
  if (value === undefined) return '–';
  return value < 120 ? `${value.toFixed(0)} s` : `${(value / 60).toFixed(1)} min`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * The report in Markdown. Every value from outside (names, reasons, TJ's words, campaign names) goes
 * through {@link codeSpan} or {@link markdownText}: a name with a backtick or a reason with a link
 * shows as written.
 */
export function renderMarkdown(report: DailyReport): string {
  const c = report.counts;
  const lines = [
    `# creative-flow daily report, ${report.date}`,
    '',
    '| received | staged | uploaded | duplicates | rejected (known fakes) | failed | still waiting |',
    '|---|---|---|---|---|---|---|',
    `| ${c.received} | ${c.staged} | ${c.uploaded} | ${c.duplicates} | ${c.rejected} (${c.knownFakes}) | ${c.failed} | ${c.waiting} |`,
    '',
    `- Sent to ${sentTo(report)}`,
    `- Review statuses on TJ: ${
      Object.entries(report.reviewStatuses)
        .map(([status, n]) => `${markdownText(status)} ${n}`)
        .join(', ') || 'none'
    }`,
    `- Bytes saved by conversion: ${megabytes(report.bytesSaved)}`,
    `- Drop to upload: median ${seconds(report.dropToUpload.median)}, worst ${seconds(report.dropToUpload.worst)}`,
    '',
  ];
  if (report.attention.length > 0)
    lines.push('## Needs attention', '', ...report.attention.map((line) => `- ${markdownText(line)}`), '');
  if (report.winners) lines.push(...winnersMarkdown(report.winners));
  for (const [title, items] of [
    ['Rejected', report.rejected],
    ['Duplicates', report.duplicates],
    ['Failed', report.failed],
    ['Cropped hard (look at them before they go up)', report.cropped],
  ] as const) {
    if (items.length === 0) continue;
    lines.push(`## ${title}`, '', ...items.map((item) => `- ${codeSpan(item.file)}: ${markdownText(item.reason)}`), '');
  }
  if (report.reviewChanges.length > 0) {
    lines.push(
      '## Reviewed by TJ today',
      '',
      ...report.reviewChanges.map(
        (change) => `- ${markdownText(change.to)}: ${codeSpan(change.name)} (${markdownText(change.creativeId)})`,
      ),
      '',
    );
  }
  const { created, refused } = report.campaignAds;
  if (created.length > 0) {
    lines.push('## Ads created in campaigns', '');
    for (const [campaign, ads] of byCampaign(created))
      lines.push(`- **${markdownText(campaign)}**: ${ads.map((ad) => codeSpan(ad.adName)).join(', ')}`);
    lines.push('');
  }
  if (refused.length > 0)
    lines.push(
      '## Ads TJ refused',
      '',
      ...refused.map(
        (ad) =>
          `- **${markdownText(ad.campaignName)}** (${markdownText(ad.campaignId)}) ${codeSpan(ad.adName)}: ${markdownText(ad.reason ?? '')}`,
      ),
      '',
    );
  if (report.batches.length > 0) {
    lines.push('## Batches', '');
    // The folders and CSV names are the layout's own (`archive/batch_NNN-date`): links, as they are.
    for (const batch of report.batches)
      lines.push(
        `- Batch ${batch.batch}: [${batch.dir}](../../${batch.dir})${batch.csvs.map((csv) => `, [${fileName(csv)}](../../${csv})`).join('')}`,
      );
    lines.push('');
  }
  // Ends with a line break, as a text file should.
  return `${lines.join('\n').trimEnd()}\n`;
}

const eta = new Eta({ autoEscape: true, useWith: false });

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#222}.counts{display:flex;gap:12px;flex-wrap:wrap}.count{border:1px solid #ddd;border-radius:6px;padding:8px 14px;text-align:center}.count b{display:block;font-size:24px}
.grid{display:flex;flex-wrap:wrap;gap:12px}.creative{width:220px;margin:0;border:1px solid #ddd;border-radius:6px;overflow:hidden}.thumb{width:220px;height:124px;object-fit:cover;display:block;background:#eee}
.none{display:flex;align-items:center;justify-content:center;color:#888}figcaption{padding:6px;font-size:12px}.name{font-weight:600;word-break:break-all}.rejected .state,.failed .state{color:#b00}.reason{color:#555}`;

/**
 * The page, in Eta with escaping on: every value (names, reasons, review statuses read from TJ's
 * page, even the thumbnails' data: URLs) is escaped; only the style is raw. Nothing is built by
 * hand, so no value can be missed.
 */
const TEMPLATE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>creative-flow <%= it.r.date %></title><style><%~ it.style %></style></head>
<body><h1>creative-flow, <%= it.r.date %></h1><div class="counts"><% for (const [label, n] of it.counts) { %><div class="count"><b><%= n %></b><span><%= label %></span></div><% } %></div>
<p>Sent to <%= it.sentTo %> · review statuses on TJ: <%= it.reviewStatuses %> · bytes saved by conversion: <%= it.saved %> · drop to upload: median <%= it.median %>, worst <%= it.worst %></p>
<% if (it.r.attention.length) { %><h2>Needs attention</h2><ul class="attention"><% for (const line of it.r.attention) { %><li><%= line %></li><% } %></ul><% } %>
<% if (it.r.winners) { const w = it.r.winners; %><h2>Which creatives win (<%= w.from %> to <%= w.to %>)</h2><% for (const [title, items] of [['Scale (more budget)', w.scale], ['Kill (pause them)', w.kill]]) { %><h3><%= title %></h3><% if (!items.length) { %><p>none</p><% } %><div class="grid"><% for (const c of items) { const thumbnail = c.key ? it.thumbnails.get(c.key) : undefined; %><figure class="creative"><% if (thumbnail) { %><img class="thumb" alt="<%= c.name %>" src="<%= thumbnail %>"><% } else { %><div class="thumb none">no picture</div><% } %><figcaption><div class="name"><%= c.name %></div><div><%= c.uniqueId %></div><div class="reason"><%= c.reason %></div></figcaption></figure><% } %></div><% } %><% if (w.tests.length) { %><h3>Tests</h3><ul><% for (const test of w.tests) { %><li><%= test.testId %>: <% if (test.best) { %><code><%= test.best.name %></code> (<%= test.best.uniqueId %>)<% } else { %>no conversion yet<% } %></li><% } %></ul><% } %><% } %>
<% for (const [title, items] of it.lists) { if (!items.length) continue; %><h2><%= title %></h2><ul><% for (const item of items) { %><li><code><%= item.file %></code>: <%= item.reason %></li><% } %></ul><% } %>
<% if (it.r.reviewChanges.length) { %><h2>Reviewed by TJ today</h2><ul><% for (const change of it.r.reviewChanges) { %><li class="<%= change.to %>"><%= change.to %>: <code><%= change.name %></code> (<%= change.creativeId %>)</li><% } %></ul><% } %>
<% if (it.campaigns.length) { %><h2>Ads created in campaigns</h2><ul><% for (const [campaign, ads] of it.campaigns) { %><li><b><%= campaign %></b>: <%= ads.map((ad) => ad.adName).join(', ') %></li><% } %></ul><% } %>
<% if (it.r.campaignAds.refused.length) { %><h2>Ads TJ refused</h2><ul><% for (const ad of it.r.campaignAds.refused) { %><li><b><%= ad.campaignName %></b> (<%= ad.campaignId %>) <code><%= ad.adName %></code>: <%= ad.reason ?? '' %></li><% } %></ul><% } %>
<% if (it.r.batches.length) { %><h2>Batches</h2><ul><% for (const batch of it.r.batches) { %><li>Batch <%= batch.batch %>: <a href="../../<%= batch.dir %>"><%= batch.dir %></a><% for (const csv of batch.csvs) { %> · <a href="../../<%= csv %>"><%= it.fileName(csv) %></a><% } %></li><% } %></ul><% } %>
<h2>Creatives handled</h2><div class="grid"><% for (const c of it.r.creatives) { const thumbnail = it.thumbnails.get(c.key); %><figure class="creative <%= c.state %>"><% if (thumbnail) { %><img class="thumb" alt="<%= c.name %>" src="<%= thumbnail %>"><% } else { %><div class="thumb none">no picture</div><% } %><figcaption><div class="name"><%= c.name %></div><% for (const [platform, ids] of Object.entries(c.ids)) { %><div><%= platform %> <%= ids.join(' / ') %></div><% } %><% if (!Object.keys(c.ids).length) { %><div>no creative id yet</div><% } %><div class="state"><%= c.state %><% if (c.reviewStatus) { %> · <%= c.reviewStatus %><% } %></div><% if (c.reason) { %><div class="reason"><%= c.reason %></div><% } %></figcaption></figure><% } %></div></body></html>`;

/** The tiles' words, for people. */
const COUNT_LABELS: Readonly<Record<keyof DailyReport['counts'], string>> = {
  received: 'received',
  staged: 'staged',
  uploaded: 'uploaded',
  duplicates: 'duplicates',
  rejected: 'rejected',
  knownFakes: 'known fakes',
  failed: 'failed',
  waiting: 'still waiting',
};

/** One page, no outside resources: thumbnails are embedded, so it opens anywhere. */
export function renderHtml(report: DailyReport, thumbnails: ReadonlyMap<string, string>): string {
  return eta.renderString(TEMPLATE, {
    r: report,
    style: STYLE,
    counts: Object.entries(report.counts).map(([key, n]) => [COUNT_LABELS[key as keyof DailyReport['counts']], n]),
    reviewStatuses:
      Object.entries(report.reviewStatuses)
        .map(([status, n]) => `${status} ${n}`)
        .join(', ') || 'none',
    saved: megabytes(report.bytesSaved),
    sentTo: sentTo(report),
    median: seconds(report.dropToUpload.median),
    worst: seconds(report.dropToUpload.worst),
    lists: [
      ['Rejected', report.rejected],
      ['Duplicates', report.duplicates],
      ['Failed', report.failed],
      ['Cropped hard (look at them before they go up)', report.cropped],
    ],
    campaigns: [...byCampaign(report.campaignAds.created)],
    thumbnails,
    fileName,
  });
}

/** "Which creatives win": scale, then kill, each with its reason, then each test's winner. */
function winnersMarkdown(winners: WinnersSection): string[] {
  const line = (each: WinnerLine): string =>
    `- ${codeSpan(each.name)} (${markdownText(each.uniqueId)}): ${markdownText(each.reason)}`;
  return [
    `## Which creatives win (${winners.from} to ${winners.to})`,
    '',
    '**Scale** (more budget):',
    ...(winners.scale.length > 0 ? winners.scale.map(line) : ['- none yet']),
    '',
    '**Kill** (pause them):',
    ...(winners.kill.length > 0 ? winners.kill.map(line) : ['- none']),
    '',
    ...(winners.tests.length > 0
      ? [
          '**Tests**:',
          ...winners.tests.map(
            (test) =>
              `- ${markdownText(test.testId)}: ${test.best ? `${codeSpan(test.best.name)} (${markdownText(test.best.uniqueId)})` : 'no conversion yet'}`,
          ),
          '',
        ]
      : []),
  ];
}

/** "TJ 12 files, ExoClick 10 files": what each enabled platform took that day. */
function sentTo(report: DailyReport): string {
  return (
    Object.entries(report.sentTo)
      .map(([platform, files]) => `${platform} ${files} file${files === 1 ? '' : 's'}`)
      .join(', ') || 'no platform'
  );
}

/** Ads grouped under "Campaign name (id)". */
function byCampaign(ads: readonly CampaignAdLine[]): Map<string, CampaignAdLine[]> {
  const groups = new Map<string, CampaignAdLine[]>();
  for (const ad of ads) {
    const campaign = `${ad.campaignName} (${ad.campaignId})`;
    const group = groups.get(campaign);
    if (group) group.push(ad);
    else groups.set(campaign, [ad]);
  }
  return groups;
}

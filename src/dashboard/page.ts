import { Eta } from 'eta';

const eta = new Eta({ autoEscape: true, useWith: false });

/** What the page is drawn with; the rest arrives as live state over server-sent events. */
export interface PageData {
  readonly root: string;
  readonly token: string;
  readonly dryRun: boolean;
}

const STYLE = `
:root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--muted:#6e7781;--line:#d0d7de}
*{box-sizing:border-box}body{font-family:system-ui,-apple-system,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{display:flex;align-items:center;gap:16px;padding:12px 24px;background:#24292f;color:#fff}header h1{font-size:18px;margin:0}
header .root{color:#afb8c1;font-size:13px}header .live{margin-left:auto;font-size:13px}.live.on::before{content:"●";color:#3fb950;margin-right:6px}.live.off::before{content:"●";color:#f85149;margin-right:6px}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px;padding:16px 24px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px}section h2{font-size:14px;margin:0 0 10px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
section.wide{grid-column:1/-1}.counts{display:flex;flex-wrap:wrap;gap:8px}.count{min-width:84px;border:1px solid var(--line);border-radius:6px;padding:6px 10px;text-align:center}.count b{display:block;font-size:22px}.count span{font-size:12px;color:var(--muted)}
table{width:100%;border-collapse:collapse;font-size:13px}td,th{text-align:left;padding:4px 6px;border-bottom:1px solid #eaeef2}th{color:var(--muted);font-weight:500}
.session{padding:8px 10px;border-radius:6px;font-size:14px}.session.signed-in{background:#dafbe1}.session.not-signed-in{background:#fff8c5}.session.login-required,.session.password-refused{background:#ffebe9}
.problems li{margin-bottom:8px;font-size:13px}.problems img{display:block;max-width:100%;max-height:120px;margin-top:4px;border:1px solid var(--line)}
.grid{display:flex;flex-wrap:wrap;gap:10px}.creative{width:180px;margin:0;border:1px solid var(--line);border-radius:6px;overflow:hidden;font-size:12px}.creative img,.creative .none{width:180px;height:101px;object-fit:cover;display:block;background:#eaeef2}
.creative div.why{word-break:normal}.creative .none{display:flex;align-items:center;justify-content:center;color:var(--muted)}.creative div{padding:4px 6px;word-break:break-all}.state-rejected,.state-failed{color:var(--bad)}.state-uploaded,.state-archived{color:var(--ok)}
button{font:inherit;padding:6px 12px;border:1px solid var(--line);border-radius:6px;background:#f6f8fa;cursor:pointer}button:disabled{opacity:.5;cursor:wait}.actions{display:flex;flex-wrap:wrap;gap:8px}
#action-result{font-size:13px;margin-top:8px;white-space:pre-wrap}.muted{color:var(--muted)}canvas{max-height:260px}`;

const TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="cf-token" content="<%= it.token %>">
<link rel="icon" href="data:,">
<title>creative-flow</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>creative-flow</h1><span class="root"><%= it.root %><%= it.dryRun ? ' · dry run' : ' · live' %></span><span id="live" class="live off">connecting</span></header>
<main>
  <section class="wide"><h2>Creatives by state</h2><div id="counts" class="counts"></div></section>
  <section><h2>Sessions</h2><div id="session" class="session"></div><div id="platforms"></div></section>
  <section><h2>Uploads</h2><div id="uploads"></div></section>
  <section><h2>Next passes</h2><table id="schedule"></table></section>
  <section class="wide"><h2>In progress</h2><table id="progress"><thead><tr><th>File</th><th>Step</th><th>For</th></tr></thead><tbody></tbody></table></section>
  <section class="wide"><h2>Last 14 days</h2><canvas id="chart" aria-label="Creatives received, uploaded, rejected and failed per day"></canvas></section>
  <section><h2>Today</h2><div id="today"></div></section>
  <section><h2>Actions</h2><div class="actions">
    <button data-job="upload">Upload now</button><button data-job="report">Write the report now</button>
    <button data-job="refresh-library">Refresh the library</button><button data-job="retry-failed">Retry the failed ones</button>
  </div><div id="action-result" class="muted"></div></section>
  <section><h2>Last errors</h2><ul id="problems" class="problems"></ul></section>
  <section class="wide"><h2>Which creatives win (last 7 days)</h2><div id="winners"></div></section>
  <section class="wide"><h2>Today's creatives</h2><div id="creatives" class="grid"></div></section>
</main>
<script src="/assets/chart.js"></script>
<script src="/assets/dashboard.js"></script>
</body>
</html>`;

export function renderPage(data: PageData): string {
  return eta.renderString(TEMPLATE, data);
}

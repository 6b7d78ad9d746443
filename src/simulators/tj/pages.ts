import { escapeHtml } from '../../core/html.js';
import { APP_SCRIPT } from './app-script.js';
import { CAMPAIGN_SCRIPT } from './campaign-script.js';
import type { SimCreative, Tab } from './library.js';
import type { MarkupChange } from './options.js';
import { pagerHtml, type MarkupVariant } from './variants.js';

/**
 * The simulator's pages, following TJ-CONTRACT.md: the same selectors, texts and traps. The app's
 * pages are a shell whose script judges the session after load and draws the view; the grids are
 * fragments the script fetches and puts in place.
 */

const STYLE = `body{font-family:sans-serif;margin:2em}.creativeContainer{display:inline-block;border:1px solid #ccc;margin:4px;padding:6px;width:220px}
.tab-pane{display:none}.tab-pane.show{display:block}.dz-preview{padding:4px}.dz-error{color:#b00}.dz-success{color:#070}.page-item.disabled a{color:#999;pointer-events:none}.page-item.active a{font-weight:bold}
.d-none{display:none}.btn-radio{border:1px solid #aaa;padding:4px 8px;cursor:pointer}.btn-radio.active{background:#def}
._pendo-backdrop_{position:fixed;inset:0;background:rgba(0,0,0,.45);z-index:9999;display:flex;align-items:center;justify-content:center}
._pendo-guide_{background:#fff;padding:24px;border-radius:6px}.dataTables_processing{color:#888}
.modal[hidden]{display:none}.modal.show{position:fixed;inset:0;background:rgba(0,0,0,.5);z-index:1050;display:flex;align-items:flex-start;justify-content:center;overflow-y:auto}
.modal-dialog{background:#fff;padding:20px;border-radius:6px}.select2-hidden-accessible{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.select2-selection{border:1px solid #aaa;padding:2px 8px;cursor:pointer}.select2-results{list-style:none;border:1px solid #aaa;padding:0;margin:0;position:absolute;background:#fff}.select2-results__option{padding:2px 8px;cursor:pointer}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} | TrafficJunky (simulator)</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

export function signInPage(options: { noCaptcha: boolean; error?: string }): string {
  const error = options.error ? `<p class="alert">${escapeHtml(options.error)}</p>` : '';
  return layout(
    'Sign in',
    `<div id="cookieBanner">We use cookies. <button type="button" onclick="this.parentNode.remove()">Accept All</button></div>
<h1>Sign in to your account</h1>${error}
<form action="/sign-in" method="post">
  <input name="username" placeholder="USERNAME" autocomplete="username">
  <input name="password" type="password" placeholder="PASSWORD" autocomplete="current-password">
  <label><input type="checkbox" id="captcha"> I'm not a robot (stand-in captcha)</label>
  <input type="submit" id="submitBtn" value="LOG IN"${options.noCaptcha ? '' : ' disabled=""'}>
</form>
<script>
document.getElementById('captcha').addEventListener('change', (event) => {
  const button = document.getElementById('submitBtn');
  if (event.target.checked) button.removeAttribute('disabled'); else button.setAttribute('disabled', '');
});
</script>`,
  );
}

/** Which view the shell's script draws once the session is judged alive. */
export type AppView = 'campaigns' | 'media-library' | 'campaign';

/**
 * What TJ serves at every app URL, signed in or not: a shell with no content. Its script asks the
 * server about the session a moment after load, then draws the view or redirects to sign-in.
 */
export function appShell(
  view: AppView,
  settings: {
    deadSessionStatus: number;
    sessionCheckMs: number;
    markupChange: MarkupChange | undefined;
    leftoverModal: boolean;
    lengthWidget: boolean;
    variant: MarkupVariant;
  },
): string {
  const config = JSON.stringify({
    view,
    deadSessionStatus: settings.deadSessionStatus,
    sessionCheckMs: settings.sessionCheckMs,
    markup: settings.markupChange ?? null,
    leftoverModal: settings.leftoverModal,
    lengthWidget: settings.lengthWidget,
    variant: settings.variant,
  }).replace(/</g, '\\u003c');
  // A shell that shows its heading before its script has judged the session: a dead one's page looks alive until the redirect.
  const early = settings.variant.onlyContract
    ? { 'media-library': '<h1>MEDIA LIBRARY</h1>', campaigns: '<h1>ALL CAMPAIGNS</h1>', campaign: '' }[view]
    : '';
  return layout(
    'Advertiser',
    `<div id="app">${early}<div class="spinner">Loading…</div></div>\n<script>window.SIM = ${config};</script>\n<script>${CAMPAIGN_SCRIPT}</script>\n<script>${APP_SCRIPT}</script>`,
  );
}

/** One page of one listing, as the script puts it in place. Cards differ by tab, as TJ's export shows; what is around them, by the variant. */
export function gridFragment(view: {
  tab: Tab;
  nativeType: 0 | 1;
  page: number;
  pages: number;
  creatives: readonly SimCreative[];
  markupChange: MarkupChange | undefined;
  variant: MarkupVariant;
}): { cards: string; pager: string } {
  const nameClass = view.markupChange === 'card-name' ? 'creativeTitle' : 'creativeName';
  const wrap = (card: string): string =>
    view.variant.container === 'nested' ? `<div class="col">${card}</div>` : card;
  const cards = view.creatives.length
    ? view.creatives
        .map((c) => {
          const dimensions =
            view.tab === 'in_stream_video' ? '' : `<span class="dimensions">${escapeHtml(c.dimensions)}</span> `;
          const fileType =
            view.tab === 'in_stream_video' || view.tab === 'video'
              ? ''
              : `<span class="fileType">${escapeHtml(c.fileType)}</span>`;
          return wrap(`<div class="creativeContainer" data-id="${c.id}" data-review-status="${c.reviewStatus}">
  <span class="bannerId">${c.id}</span>
  <label class="${nameClass}" title="${escapeHtml(c.name)}">${escapeHtml(c.name)}</label>
  ${dimensions}${fileType}
  <span class="reviewStatus">${c.reviewStatus}</span>
</div>`);
        })
        .join('\n')
    : {
        datatables: '<div class="dataTables_empty">No data available in table</div>',
        sentence: '<p class="no-results">You have no creatives here yet.</p>',
        nothing: '',
      }[view.variant.empty];
  // Panels: each page is a document of its own.
  const href =
    view.variant.listings === 'panels'
      ? (page: number) => `/media-library?tab=${view.tab}&amp;type=${view.nativeType}&amp;page=${page}`
      : undefined;
  const last = view.page >= view.pages;
  const pager =
    view.markupChange === 'next-link'
      ? `<ul class="pagination"><li class="page-item pager-forward${last ? ' disabled' : ''}"><a class="pager-link" data-page="${view.page + 1}" href="#">›</a></li></ul>`
      : pagerHtml(view.variant.pager, view.page, view.pages, href);
  return { cards, pager };
}

import { escapeHtml } from '../../../core/html.js';
import type { SimCreative, Tab } from './library.js';

/** The simulator's pages, following TJ-CONTRACT.md: the same selectors, texts and traps. */

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} | TrafficJunky (simulator)</title>
<style>body{font-family:sans-serif;margin:2em}.creativeContainer{display:inline-block;border:1px solid #ccc;margin:4px;padding:6px;width:220px}
.dz-preview{padding:4px}.dz-error{color:#b00}.dz-success{color:#070}.disabled a{color:#999;pointer-events:none}</style></head>
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

/** What TJ serves for a dead session: the app shell still loads, with a login form inside it. */
export function sessionExpiredShell(): string {
  return layout(
    'Advertiser',
    `<nav>TrafficJunky Advertiser</nav><h1>We missed you</h1><p>Your session has ended. Please log in again.</p>
<form action="/login" method="post"><input name="username" placeholder="USERNAME"><input name="password" type="password"><input type="submit" id="submitBtn" value="LOG IN"></form>`,
  );
}

export function campaignsPage(): string {
  return layout('Campaigns', `<nav>TrafficJunky Advertiser</nav><p>Account Balance: $1,000.00</p><h1>ALL CAMPAIGNS</h1><a href="/media-library">Media Library</a>`);
}

export function mediaLibraryPage(view: { tab: Tab; page: number; pages: number; creatives: readonly SimCreative[] }): string {
  const tabLink = (tab: Tab, label: string): string =>
    `<li><a id="${tab}_tab" href="#${tab}" data-tab="${tab}" class="${view.tab === tab ? 'active' : ''}">${label}</a></li>`;
  const cards = view.creatives
    .map(
      (c) => `<div class="creativeContainer" data-id="${c.id}" data-review-status="${c.reviewStatus}">
  <span class="bannerId">${c.id}</span>
  <label class="creativeName" title="${escapeHtml(c.name)}">${escapeHtml(c.name)}</label>
  <span class="dimensions">${escapeHtml(c.dimensions)}</span> <span class="fileType">${escapeHtml(c.fileType)}</span>
  <span class="reviewStatus">${c.reviewStatus}</span>
</div>`,
    )
    .join('\n');
  const nextHref = `/media-library?tab=${view.tab}&page=${view.page + 1}`;
  const nativeTypes =
    view.tab === 'native'
      ? `<label><input type="radio" id="native_static" name="native_type" value="0" checked> Static Banner</label>
<label><input type="radio" id="native_rollover" name="native_type" value="1"> Rollover</label>`
      : '';
  return layout(
    'Media Library',
    `<nav>TrafficJunky Advertiser</nav><h1>MEDIA LIBRARY</h1>
<ul class="nav nav-tabs">${tabLink('native', 'Native')}${tabLink('in_stream_video', 'In-Stream Video')}${tabLink('static', 'Static Banner')}${tabLink('video', 'Video Banners')}</ul>
<div id="${view.tab}" class="tab-pane active">${nativeTypes}</div>
<button id="newImage" type="button">Upload New Creatives</button>
<form class="dropzone" id="uploadZone" hidden><input type="file" name="file" multiple></form>
<div class="processingMessage customMessage" hidden>Your files are being processed…</div>
<div id="previews"></div>
<div id="creatives">${cards}</div>
<ul class="pagination"><li class="page-item next${view.page >= view.pages ? ' disabled' : ''}"><a class="page-link" rel="next" href="${nextHref}">Next</a></li></ul>
<script>
const TAB = ${JSON.stringify(view.tab)};
for (const link of document.querySelectorAll('[data-tab]')) {
  link.addEventListener('click', (event) => { event.preventDefault(); location.href = '/media-library?tab=' + link.dataset.tab; });
}
document.getElementById('newImage').addEventListener('click', () => { document.getElementById('uploadZone').hidden = false; });
const input = document.querySelector('#uploadZone input[type=file]');
input.addEventListener('change', async () => {
  const nativeType = document.querySelector('input[name=native_type]:checked')?.value ?? '0';
  const processing = document.querySelector('.processingMessage');
  processing.hidden = false;
  await Promise.all([...input.files].map(async (file) => {
    const preview = document.createElement('div');
    preview.className = 'dz-preview dz-processing';
    preview.innerHTML = '<span class="dz-filename"></span> <div class="dz-error-message"></div>';
    preview.querySelector('.dz-filename').textContent = file.name;
    document.getElementById('previews').append(preview);
    const body = new FormData();
    body.append('tab', TAB);
    body.append('native_type', nativeType);
    body.append('file', file);
    let error;
    try {
      const response = await fetch('/media-library/upload', { method: 'POST', body });
      const result = await response.json().catch(() => ({}));
      if (!response.ok || result.error) error = result.error || ('Server error ' + response.status);
    } catch {
      error = 'Upload failed: the connection was lost';
    }
    preview.className = error ? 'dz-preview dz-error dz-complete' : 'dz-preview dz-success dz-complete';
    if (error) preview.querySelector('.dz-error-message').textContent = error;
  }));
  processing.hidden = true;
});
</script>`,
  );
}

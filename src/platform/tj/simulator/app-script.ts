/**
 * The simulator's app script: what makes TJ's site script-driven (TJ-CONTRACT.md). It judges the
 * session after load (a dead one gets a late redirect to sign-in), draws the view only then,
 * fetches each tab's, sub-type's and page's grid and puts it in place while the URL stays put,
 * uploads through XHR as Dropzone does (with Dropzone's own error strings), and covers the page
 * with a product tour once a session.
 */
export const APP_SCRIPT = String.raw`
(() => {
  const SIM = window.SIM;
  const app = document.getElementById('app');
  const state = { tab: 'native', type: '0', page: 1 };
  const TABS = [
    { id: 'native_tab', href: '#native', tab: 'native', label: 'Native' },
    { id: 'instream_tab', href: '#instream', tab: 'in_stream_video', label: 'In-Stream Video' },
    { id: 'static_tab', href: '#static', tab: 'static', label: 'Static Banner' },
    { id: 'video_tab', href: '#video', tab: 'video', label: 'Video Banners' },
  ];

  const nav = '<nav class="topbar">TrafficJunky Advertiser · <a class="campaigns-link" href="/campaigns">Campaigns</a> · <a href="/media-library">Media Library</a> · <span>Account Balance: $1,000.00</span></nav>';

  function toSignIn() {
    location.href = '/sign-in';
  }

  async function judgeSession() {
    const response = await fetch('/api/session?view=' + SIM.view, { credentials: 'same-origin' });
    await new Promise((resolve) => setTimeout(resolve, SIM.sessionCheckMs));
    if (response.status === 401) return toSignIn();
    const session = await response.json();
    if (SIM.view === 'campaigns') return drawCampaigns();
    if (SIM.view === 'campaign') return window.drawCampaign(app, nav, SIM);
    drawLibrary();
    if (session.tour) setTimeout(showTour, 150);
  }

  function drawCampaigns() {
    app.innerHTML = nav + '<h1>ALL CAMPAIGNS</h1><p>Your campaigns are listed here.</p>';
  }

  function drawLibrary() {
    const tabs = TABS.map((t) => '<li class="nav-item"><a id="' + t.id + '" class="nav-link' + (t.tab === state.tab ? ' active' : '') + '" href="' + t.href + '" data-tab="' + t.tab + '">' + t.label + '</a></li>').join('');
    const uploadId = SIM.markup === 'upload-button' ? 'addCreatives' : 'newImage';
    app.innerHTML = nav +
      '<h1>MEDIA LIBRARY</h1>' +
      '<ul class="nav nav-tabs" role="tablist">' + tabs + '</ul>' +
      '<div id="nativeTypes" class="native-types">' +
      '<label class="btn btn-radio active" for="native_static"><input type="radio" class="d-none" id="native_static" name="native_type" value="0" checked> Static Banner</label> ' +
      '<label class="btn btn-radio" for="native_rollover"><input type="radio" class="d-none" id="native_rollover" name="native_type" value="1"> Rollover</label>' +
      '</div>' +
      '<button id="' + uploadId + '" type="button">Upload New Creatives</button>' +
      '<form class="dropzone" id="uploadZone" hidden><div class="dz-message">Drop files here to upload</div></form>' +
      '<div class="processingMessage customMessage" hidden>Your files are being processed…</div>' +
      '<div id="previews"></div>' +
      '<div class="dataTables_processing" hidden>Processing…</div>' +
      '<div id="creatives" class="creatives-grid"></div>' +
      '<div id="pager"></div>';
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.className = 'dz-hidden-input';
    input.style.cssText = 'visibility:hidden;position:absolute;top:0;left:0;height:0;width:0';
    document.body.append(input);
    input.addEventListener('change', () => uploadAll([...input.files]));
    document.getElementById(uploadId).addEventListener('click', () => { document.getElementById('uploadZone').hidden = false; });
    for (const link of document.querySelectorAll('[data-tab]')) {
      link.addEventListener('click', (event) => {
        event.preventDefault();
        for (const other of document.querySelectorAll('[data-tab]')) other.classList.toggle('active', other === link);
        state.tab = link.dataset.tab;
        state.page = 1;
        document.getElementById('nativeTypes').hidden = state.tab !== 'native';
        loadGrid();
      });
    }
    for (const radio of document.querySelectorAll('input[name=native_type]')) {
      radio.addEventListener('change', () => {
        for (const label of document.querySelectorAll('.btn-radio')) label.classList.toggle('active', label.htmlFor === radio.id);
        state.type = radio.value;
        state.page = 1;
        loadGrid();
      });
    }
    document.getElementById('pager').addEventListener('click', (event) => {
      const link = event.target.closest('a[data-page]');
      if (!link || link.closest('.disabled') || link.closest('.active')) return;
      event.preventDefault();
      state.page = Number(link.dataset.page);
      loadGrid();
    });
    loadGrid();
  }

  let drawing = 0;
  async function loadGrid() {
    const ticket = ++drawing;
    document.querySelector('.dataTables_processing').hidden = false;
    const response = await fetch('/api/media-library/grid?tab=' + state.tab + '&type=' + state.type + '&page=' + state.page, { credentials: 'same-origin' });
    if (response.status === 401) return setTimeout(toSignIn, SIM.sessionCheckMs);
    const grid = await response.json();
    if (ticket !== drawing) return;
    document.getElementById('creatives').innerHTML = grid.cards;
    document.getElementById('pager').innerHTML = grid.pager;
    document.querySelector('.dataTables_processing').hidden = true;
  }

  function uploadAll(files) {
    const processing = document.querySelector('.processingMessage');
    processing.hidden = false;
    let left = files.length;
    for (const file of files) upload(file, () => { if (--left === 0) processing.hidden = true; });
  }

  function upload(file, done) {
    const preview = document.createElement('div');
    preview.className = 'dz-preview dz-file-preview dz-processing';
    preview.innerHTML = '<div class="dz-details"><div class="dz-filename"><span data-dz-name></span></div></div><div class="dz-error-message"><span data-dz-errormessage></span></div>';
    preview.querySelector('[data-dz-name]').textContent = file.name;
    document.getElementById('previews').append(preview);
    const body = new FormData();
    body.append('tab', state.tab);
    body.append('native_type', state.type);
    body.append('file', file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/media-library/upload');
    const finish = (error) => {
      preview.classList.remove('dz-processing');
      preview.classList.add(error === undefined ? 'dz-success' : 'dz-error', 'dz-complete');
      if (error !== undefined) preview.querySelector('[data-dz-errormessage]').textContent = error;
      done();
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return finish(undefined);
      finish(dropzoneMessage(xhr));
    };
    // Dropzone reports a dropped connection with the status it has then: 0.
    xhr.onerror = () => finish('Server responded with 0 code.');
    xhr.send(body);
  }

  /** Dropzone's own wording: the server's JSON message, else an error page's text, else its status. */
  function dropzoneMessage(xhr) {
    const text = xhr.responseText || '';
    const type = xhr.getResponseHeader('content-type') || '';
    if (type.includes('json')) {
      try {
        const body = JSON.parse(text);
        if (body.error || body.message) return body.error || body.message;
      } catch {}
    }
    if (text.trim() !== '') {
      const page = document.createElement('div');
      page.innerHTML = text;
      return page.textContent.replace(/\s+/g, ' ').trim();
    }
    return 'Server responded with ' + xhr.status + ' code.';
  }

  function showTour() {
    const tour = document.createElement('div');
    tour.id = 'pendo-base';
    tour.className = '_pendo-backdrop_';
    tour.innerHTML = '<div class="_pendo-guide_"><p>Welcome! Take a tour of the new Media Library.</p><button type="button" aria-label="Close guide" class="_pendo-close-guide_">×</button></div>';
    tour.querySelector('button').addEventListener('click', () => tour.remove());
    document.body.append(tour);
  }

  judgeSession();
})();
`;

/**
 * The simulator's app script: what makes TJ's site script-driven (TJ-CONTRACT.md). It judges the
 * session after load (a dead one gets a late redirect to sign-in), draws the view only then, and
 * shows each listing in the variant's way (`SIM.variant`, see variants.ts): fetched and put in
 * place while the URL stays put and the old cards stay on screen, or rendered up front in panels
 * shown by a class, with Next loading a new document. It uploads through XHR as Dropzone does
 * (with Dropzone's own error strings), and covers the page with a product tour once a session.
 */
export const APP_SCRIPT = String.raw`
(() => {
  const SIM = window.SIM;
  const V = SIM.variant;
  const app = document.getElementById('app');
  const query = new URLSearchParams(location.search);
  const state = { tab: query.get('tab') || V.openTab, type: query.get('type') || '0', page: Number(query.get('page')) || 1 };
  const IDS = {
    'first-build': [['native_tab', '#native'], ['instream_tab', '#instream'], ['static_tab', '#static'], ['video_tab', '#video']],
    'other-tools': [['', '#native'], ['in_stream_video_tab', '#in_stream_video'], ['static_tab', '#static-banners'], ['video_tab', '#video-banners']],
    'unknown': [['tab-1', '#pane-1'], ['tab-2', '#pane-2'], ['tab-3', '#pane-3'], ['tab-4', '#pane-4']],
  }[V.tabIds];
  const LABELS = V.wording === 'other' ? ['NATIVE', 'IN-STREAM VIDEO', 'STATIC BANNERS', 'VIDEO BANNERS'] : ['Native', 'In-Stream Video', 'Static Banner', 'Video Banners'];
  const TABS = ['native', 'in_stream_video', 'static', 'video'].map((tab, n) => ({ tab, id: IDS[n][0], href: IDS[n][1], label: LABELS[n] }));
  const LISTINGS = [['native', '0'], ['native', '1'], ['in_stream_video', '0'], ['static', '0'], ['video', '0']];

  const nav = V.onlyContract ? '' : V.wording === 'other'
    ? '<header class="app-header"><span>TJ Ads</span> <a class="campaigns-link" href="/campaigns">Campaigns</a> <a href="/media-library">Library</a> <em>Account Balance: $1,000.00</em></header>'
    : '<nav class="topbar">TrafficJunky Advertiser · <a class="campaigns-link" href="/campaigns">Campaigns</a> · <a href="/media-library">Media Library</a> · <span>Account Balance: $1,000.00</span></nav>';

  function toSignIn() {
    location.href = '/sign-in';
  }

  async function judgeSession() {
    const response = await fetch('/api/session?view=' + SIM.view, { credentials: 'same-origin' });
    await new Promise((resolve) => setTimeout(resolve, SIM.sessionCheckMs));
    if (response.status === SIM.deadSessionStatus) return toSignIn();
    const session = await response.json();
    if (SIM.view === 'campaigns') return drawCampaigns();
    if (SIM.view === 'campaign') return window.drawCampaign(app, nav, SIM);
    drawLibrary();
    if (session.tour) setTimeout(showTour, 150);
  }

  function drawCampaigns() {
    app.innerHTML = nav + '<h1>ALL CAMPAIGNS</h1><p>Your campaigns are listed here.</p>';
  }

  const listingKey = (tab, type) => tab + '-' + (tab === 'native' ? type : '0');

  function drawLibrary() {
    const tabs = TABS.map((t) => '<li class="nav-item"><a' + (t.id ? ' id="' + t.id + '"' : '') + ' class="nav-link' + (t.tab === state.tab ? ' ' + V.activeClass : '') + '" href="' + t.href + '" data-tab="' + t.tab + '">' + t.label + '</a></li>').join('');
    const uploadId = SIM.markup === 'upload-button' ? 'addCreatives' : 'newImage';
    const inForm = V.fileInput === 'form-at-load' ? '<input type="file" multiple class="dz-hidden-input" style="display:none">' : '';
    app.innerHTML = nav +
      '<h1>MEDIA LIBRARY</h1>' +
      '<ul class="nav nav-tabs" role="tablist">' + tabs + '</ul>' +
      '<div class="native-types">' +
      '<label class="btn btn-radio' + (state.type === '0' ? ' active' : '') + '" for="native_static"><input type="radio" class="d-none" id="native_static" name="native_type" value="0"' + (state.type === '0' ? ' checked' : '') + '> Static Banner</label> ' +
      '<label class="btn btn-radio' + (state.type === '1' ? ' active' : '') + '" for="native_rollover"><input type="radio" class="d-none" id="native_rollover" name="native_type" value="1"' + (state.type === '1' ? ' checked' : '') + '> Rollover</label>' +
      '</div>' +
      '<button id="' + uploadId + '" type="button">Upload New Creatives</button>' +
      '<form class="dropzone" hidden>' + inForm + '<div class="dz-message">' + (V.wording === 'other' ? 'Drag creatives here' : 'Drop files here to upload') + '</div></form>' +
      '<div class="processingMessage customMessage" hidden>' + (V.wording === 'other' ? 'Processing, please wait' : 'Your files are being processed…') + '</div>' +
      '<div class="previews"></div>' +
      '<p class="loading" hidden>' + (V.wording === 'other' ? 'Loading creatives' : 'Processing…') + '</p>' +
      '<div class="listing-anchor"></div>';
    const zone = app.querySelector('form.dropzone');
    let input = zone.querySelector('input[type=file]');
    if (V.fileInput === 'body-at-load') input = hiddenInput(document.body);
    if (input) input.addEventListener('change', () => uploadAll([...input.files]));
    document.getElementById(uploadId).addEventListener('click', () => {
      zone.hidden = false;
      if (!input) {
        input = hiddenInput(zone);
        input.addEventListener('change', () => uploadAll([...input.files]));
      }
    });
    app.querySelector('.native-types').hidden = state.tab !== 'native';
    for (const link of app.querySelectorAll('[data-tab]')) {
      link.addEventListener('click', (event) => {
        event.preventDefault();
        for (const other of app.querySelectorAll('[data-tab]')) other.classList.toggle(V.activeClass, other === link);
        state.tab = link.dataset.tab;
        state.page = 1;
        app.querySelector('.native-types').hidden = state.tab !== 'native';
        show();
      });
    }
    for (const radio of app.querySelectorAll('input[name=native_type]')) {
      radio.addEventListener('change', () => {
        for (const label of app.querySelectorAll('.btn-radio')) label.classList.toggle('active', label.htmlFor === radio.id);
        state.type = radio.value;
        state.page = 1;
        show();
      });
    }
    app.addEventListener('click', (event) => {
      const link = event.target.closest('a[data-page]');
      if (!link) return;
      // Panels: a page is a document of its own, which the link's href loads.
      if (link.closest('.disabled') || link.closest('.active') || V.listings !== 'panels') event.preventDefault();
      if (link.closest('.disabled') || link.closest('.active') || V.listings === 'panels') return;
      state.page = Number(link.dataset.page);
      loadGrid();
    });
    if (V.listings === 'panels') drawPanels();
    else {
      grid = makeGrid();
      loadGrid();
    }
  }

  function hiddenInput(parent) {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.className = 'dz-hidden-input';
    input.style.cssText = 'visibility:hidden;position:absolute;top:0;left:0;height:0;width:0';
    parent.append(input);
    return input;
  }

  // Where a fetched listing goes: a container of some kind, or (none) the page itself, between an anchor and the pager.
  let grid;
  function makeGrid() {
    const anchor = app.querySelector('.listing-anchor');
    const pager = document.createElement('div');
    if (V.container === 'creatives-div') {
      const holder = document.createElement('div');
      holder.id = 'creatives';
      holder.className = 'creatives-grid';
      anchor.after(holder, pager);
      return { put: (html) => { holder.innerHTML = html; }, pager };
    }
    if (V.container === 'nested') {
      const section = document.createElement('section');
      section.innerHTML = '<div class="card"><div class="card-body"><div class="row"></div></div></div>';
      anchor.after(section, pager);
      const row = section.querySelector('.row');
      return { put: (html) => { row.innerHTML = html; }, pager };
    }
    anchor.after(pager);
    let shown = [];
    return {
      put: (html) => {
        for (const node of shown) node.remove();
        const holder = document.createElement('template');
        holder.innerHTML = html;
        shown = [...holder.content.childNodes];
        pager.before(...shown);
      },
      pager,
    };
  }

  async function fetchGrid(tab, type, page) {
    const response = await fetch('/api/media-library/grid?tab=' + tab + '&type=' + type + '&page=' + page, { credentials: 'same-origin' });
    if (response.status === SIM.deadSessionStatus) {
      setTimeout(toSignIn, SIM.sessionCheckMs);
      return undefined;
    }
    return response.json();
  }

  let drawing = 0;
  async function loadGrid() {
    const ticket = ++drawing;
    const loading = app.querySelector('.loading');
    loading.hidden = false;
    const listing = await fetchGrid(state.tab, state.type, state.page);
    if (!listing || ticket !== drawing) return;
    grid.put(listing.cards);
    grid.pager.innerHTML = listing.pager;
    loading.hidden = true;
  }

  // Every listing rendered up front, each in a panel of its own; a tab or a sub-type shows its panel by a class.
  function drawPanels() {
    const anchor = app.querySelector('.listing-anchor');
    for (const [tab, type] of LISTINGS) {
      const panel = document.createElement('div');
      panel.className = 'tab-pane';
      panel.dataset.listing = listingKey(tab, type);
      anchor.before(panel);
      const page = listingKey(tab, type) === listingKey(state.tab, state.type) ? state.page : 1;
      fetchGrid(tab, type, page).then((listing) => {
        if (listing) panel.innerHTML = listing.cards + listing.pager;
      });
    }
    show();
  }

  function show() {
    if (V.listings !== 'panels') return loadGrid();
    for (const panel of app.querySelectorAll('.tab-pane')) panel.classList.toggle('show', panel.dataset.listing === listingKey(state.tab, state.type));
  }

  function uploadAll(files) {
    const processing = app.querySelector('.processingMessage');
    processing.hidden = false;
    let left = files.length;
    for (const file of files) upload(file, () => { if (--left === 0) processing.hidden = true; });
  }

  function upload(file, done) {
    const preview = document.createElement('div');
    preview.className = 'dz-preview dz-file-preview dz-processing';
    preview.innerHTML = (V.previewNames ? '<div class="dz-details"><div class="dz-filename"><span data-dz-name></span></div></div>' : '<div class="dz-image"></div>') + '<div class="dz-error-message"><span data-dz-errormessage></span></div>';
    if (V.previewNames) preview.querySelector('[data-dz-name]').textContent = file.name;
    app.querySelector('.previews').append(preview);
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
    tour.innerHTML = '<div class="_pendo-guide_"><p>Welcome! Take a tour of the new Media Library.</p><button type="button" aria-label="Close guide"' + (V.onlyContract ? '' : ' class="_pendo-close-guide_"') + '>×</button></div>';
    tour.querySelector('button').addEventListener('click', () => tour.remove());
    document.body.append(tour);
  }

  judgeSession();
})();
`;

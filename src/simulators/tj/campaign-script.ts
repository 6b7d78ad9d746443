/**
 * The campaign page's script (TJ-CONTRACT.md, "Creating ads in a campaign"): the campaign's name,
 * "STEP 5. CREATE YOUR AD", an ads DataTable with a length control that reloads it in place, and
 * "Mass create with CSV" with its file input, its preview and the preview modal's confirm. TJ's
 * checks answer in the page: "At least one issue was detected" with the creatives that are not
 * valid. A modal left open from an earlier step covers the page when the simulator is told to.
 */
export const CAMPAIGN_SCRIPT = String.raw`
window.drawCampaign = async (app, nav, SIM) => {
  const id = location.pathname.split('/')[2];
  const esc = (text) => String(text).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const found = await fetch('/api/campaign/' + id, { credentials: 'same-origin' });
  if (found.status === SIM.deadSessionStatus) return setTimeout(() => { location.href = '/sign-in'; }, SIM.sessionCheckMs);
  if (!found.ok) { app.innerHTML = nav + '<h1>Campaign not found</h1>'; return; }
  const campaign = await found.json();
  const table = { length: 10, page: 1 };
  const V = SIM.variant;
  const alertClass = V.onlyContract ? 'csv-error' : 'alert alert-danger';
  // The contract quotes these buttons' texts, not their elements.
  const action = (id, text) => (V.wording === 'other' ? '<a href="#" class="btn" id="' + id + '">' + text + '</a>' : '<button type="button" id="' + id + '">' + text + '</button>');
  const head = '<thead><tr><th>Ad Name</th><th>Creative IDs</th><th>Target URL</th></tr></thead><tbody></tbody>';
  const adsTable = V.adsTable === 'wrapped' ? '<div class="card"><div class="card-body"><div class="table-responsive"><table class="table table-striped">' + head + '</table></div></div></div>' : '<table id="adsTable" class="dataTable">' + head + '</table>';
  app.innerHTML = nav +
    '<h1 class="campaign-name">' + esc(campaign.name) + '</h1>' +
    '<section id="section_adSpecs"><h2>STEP 5. CREATE YOUR AD</h2>' +
    action('massCreateToggle', 'Mass create with CSV') +
    '<div id="massCreate" hidden><input type="file" id="massAdsCsv" accept=".csv"> ' + action('csvPreview', 'Create CSV Preview') + '</div>' +
    '<div id="csvMessages"></div>' +
    '<div class="dataTables_length"><label>Show <select name="adsTable_length"><option value="10">10</option><option value="25">25</option><option value="50">50</option><option value="100">100</option></select> entries</label></div>' +
    '<div class="dataTables_processing" hidden>Processing…</div>' +
    adsTable +
    '<div class="dataTables_info"></div><div id="adsPager"></div></section>' +
    '<div class="modal" id="csvPreviewModal" hidden><div class="modal-dialog"><h3>Preview of the ads</h3><table class="preview"><tbody></tbody></table>' +
    '<button type="button" class="btn confirmAds">Create ads</button> <button type="button" class="close" data-dismiss="modal">×</button></div></div>';
  const modal = document.getElementById('csvPreviewModal');
  const messages = document.getElementById('csvMessages');
  const closeModal = (node) => { node.classList.remove('show'); node.hidden = true; };
  for (const button of document.querySelectorAll('[data-dismiss=modal]')) button.addEventListener('click', () => closeModal(button.closest('.modal')));

  let drawing = 0;
  async function loadAds() {
    const ticket = ++drawing;
    document.querySelector('.dataTables_processing').hidden = false;
    const response = await fetch('/api/campaign/' + id + '/ads?length=' + table.length + '&page=' + table.page, { credentials: 'same-origin' });
    if (response.status === SIM.deadSessionStatus) return setTimeout(() => { location.href = '/sign-in'; }, SIM.sessionCheckMs);
    const ads = await response.json();
    if (ticket !== drawing) return;
    app.querySelector('#section_adSpecs tbody').innerHTML = ads.rows;
    document.getElementById('adsPager').innerHTML = ads.pager;
    document.querySelector('.dataTables_info').textContent = ads.info;
    document.querySelector('.dataTables_processing').hidden = true;
  }
  document.querySelector('select[name=adsTable_length]').addEventListener('change', (event) => {
    table.length = Number(event.target.value);
    table.page = 1;
    loadAds();
  });
  document.getElementById('adsPager').addEventListener('click', (event) => {
    const link = event.target.closest('a[data-page]');
    if (!link || link.closest('.disabled') || link.closest('.active')) return;
    event.preventDefault();
    table.page = Number(link.dataset.page);
    loadAds();
  });

  let csvText = '';
  document.getElementById('massCreateToggle').addEventListener('click', (event) => { event.preventDefault(); document.getElementById('massCreate').hidden = false; });
  document.getElementById('csvPreview').addEventListener('click', async (event) => {
    event.preventDefault();
    const file = document.getElementById('massAdsCsv').files[0];
    messages.innerHTML = '';
    if (!file) { messages.innerHTML = '<div class="alert">Choose a CSV file first.</div>'; return; }
    csvText = await file.text();
    const response = await fetch('/api/campaign/' + id + '/ads/preview', { method: 'POST', body: csvText, credentials: 'same-origin' });
    const answer = await response.json().catch(() => ({}));
    if (answer.invalidIds) {
      messages.innerHTML = '<div class="' + (V.onlyContract ? 'csv-issues' : 'alert alert-danger csv-issues') + '"><p>At least one issue was detected</p><p>The following creatives are not valid:</p><ul>' + answer.invalidIds.map((invalid) => '<li>' + esc(invalid) + '</li>').join('') + '</ul></div>';
      return;
    }
    if (!response.ok) { messages.innerHTML = '<div class="' + alertClass + '">' + esc((answer.problems || [answer.error || 'The CSV could not be read']).join('; ')) + '</div>'; return; }
    modal.querySelector('tbody').innerHTML = answer.preview.map((ad) => '<tr><td>' + esc(ad.name) + '</td><td>' + esc(ad.creativeIds.join(', ')) + '</td></tr>').join('');
    modal.hidden = false;
    modal.classList.add('show');
  });
  modal.querySelector('.confirmAds').addEventListener('click', async () => {
    const response = await fetch('/api/campaign/' + id + '/ads/create', { method: 'POST', body: csvText, credentials: 'same-origin' });
    closeModal(modal);
    if (!response.ok) { messages.innerHTML = '<div class="' + alertClass + '">Something went wrong while creating the ads (' + response.status + '). Please try again.</div>'; return; }
    messages.innerHTML = '<div class="alert alert-success">Your ads are being created.</div>';
    loadAds();
  });

  if (SIM.lengthWidget) {
    // select2: the plain select is hidden, and a widget of spans and a results list stands in for it.
    const select = document.querySelector('select[name=adsTable_length]');
    select.classList.add('select2-hidden-accessible');
    const widget = document.createElement('span');
    widget.className = 'select2-selection';
    widget.innerHTML = '<span id="select2-dt-length-0-container" class="select2-selection__rendered">10</span>';
    select.after(widget);
    widget.addEventListener('click', () => {
      const list = document.createElement('ul');
      list.className = 'select2-results';
      list.innerHTML = [10, 25, 50, 100].map((n) => '<li class="select2-results__option">' + n + '</li>').join('');
      list.addEventListener('click', (event) => {
        const option = event.target.closest('li');
        if (!option) return;
        select.value = option.textContent;
        widget.querySelector('span').textContent = option.textContent;
        list.remove();
        select.dispatchEvent(new Event('change'));
      });
      widget.after(list);
    });
  }

  if (SIM.leftoverModal) {
    const leftover = document.createElement('div');
    leftover.className = 'modal show';
    leftover.id = 'budgetReminder';
    leftover.innerHTML = '<div class="modal-dialog"><p>Remember to set a daily budget for this campaign.</p><button type="button" class="close" data-dismiss="modal" aria-label="Dismiss">×</button></div>';
    leftover.querySelector('.close').addEventListener('click', () => closeModal(leftover));
    document.body.append(leftover);
  }
  loadAds();
};
`;

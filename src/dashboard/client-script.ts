/**
 * The dashboard page's script: it takes the daemon's state from server-sent events and redraws
 * (no reload), runs the timers of the files in progress, draws the 14-day chart with Chart.js,
 * and sends the actions as POSTs carrying the token. Every name from the root is set as text,
 * never as HTML.
 */
export const CLIENT_SCRIPT = String.raw`
(() => {
  // The page opened with the token in its address is given it; the tab keeps it for its reloads
  // (the cookie opens the page, never a job: the buttons send the token).
  const given = document.querySelector('meta[name=cf-token]').content;
  if (given) sessionStorage.setItem('cf-token', given);
  const token = given || sessionStorage.getItem('cf-token') || '';
  // The token stays out of the address bar (and out of a screenshot of it) once the page has it.
  if (location.search.includes('token=')) history.replaceState(null, '', location.pathname);
  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, children = []) => {
    const { dataset = {}, ...rest } = props;
    const node = Object.assign(document.createElement(tag), rest);
    Object.assign(node.dataset, dataset);
    for (const child of children) node.append(child);
    return node;
  };
  // The same words as status and the report: 2026-12-01 23:55:00, in the browser's local time.
  const pad = (n) => String(n).padStart(2, '0');
  const forPeople = (iso) => {
    const at = new Date(iso);
    return at.getFullYear() + '-' + pad(at.getMonth() + 1) + '-' + pad(at.getDate()) + ' ' + pad(at.getHours()) + ':' + pad(at.getMinutes()) + ':' + pad(at.getSeconds());
  };
  const ago = (iso) => {
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return seconds < 90 ? seconds + ' s' : seconds < 5400 ? Math.round(seconds / 60) + ' min' : (seconds / 3600).toFixed(1) + ' h';
  };
  const until = (iso) => {
    if (!iso) return '—';
    const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
    return seconds <= 0 ? 'now' : seconds < 90 ? 'in ' + seconds + ' s' : seconds < 5400 ? 'in ' + Math.round(seconds / 60) + ' min' : forPeople(iso);
  };
  let state;
  let chart;

  function draw() {
    const s = state;
    $('counts').replaceChildren(...Object.entries(s.counts).map(([name, n]) => el('div', { className: 'count' }, [el('b', { textContent: String(n) }), el('span', { textContent: name })])));
    const session = $('session');
    session.hidden = !s.session;
    if (s.session) {
      session.className = 'session ' + s.session.state;
      session.textContent = s.session.message + (s.session.since ? ' (since ' + forPeople(s.session.since) + ')' : '');
    }
    $('platforms').replaceChildren(...s.platforms.map((platform) => el('div', { className: 'session ' + platform.state, textContent: platform.name + ': ' + platform.message + (platform.since ? ' (since ' + forPeople(platform.since) + ')' : '') })));
    const batch = s.uploads.batch;
    $('uploads').replaceChildren(
      el('div', { textContent: s.uploads.staged + ' staged, waiting for the next upload pass' + (s.dryRun ? ' (dry run: nothing is sent)' : '') }),
      el('div', { className: batch ? '' : 'muted', textContent: batch ? 'In flight: ' + batch.files.length + ' files to ' + batch.target + ' for ' + ago(batch.since) + ' — ' + batch.files.join(', ') : 'No batch in flight' }),
    );
    $('schedule').replaceChildren(...s.schedule.map((pass) => el('tr', {}, [el('td', { textContent: pass.name }), el('td', { className: 'next', dataset: { at: pass.next || '' }, textContent: until(pass.next) })])));
    $('progress').tBodies[0].replaceChildren(
      ...(s.inProgress.length ? s.inProgress.map((file) => el('tr', { dataset: { key: file.key, state: file.state } }, [el('td', { textContent: file.file }), el('td', { className: 'step', textContent: file.step }), el('td', { className: 'timer', dataset: { since: file.since }, textContent: ago(file.since) })])) : [el('tr', {}, [el('td', { className: 'muted', colSpan: 3, textContent: 'Nothing in progress' })])]),
    );
    const today = s.today.counts || { received: 0, uploaded: 0, rejected: 0, failed: 0 };
    $('today').replaceChildren(
      el('div', { textContent: s.today.date + ': ' + today.received + ' received, ' + today.uploaded + ' uploaded, ' + today.rejected + ' rejected, ' + today.failed + ' failed' }),
      s.today.report ? el('a', { href: '/report?date=' + s.today.date, target: '_blank', textContent: "Open today's report" }) : el('div', { className: 'muted', textContent: 'No report written yet today (the daemon writes it at the end of the day).' }),
    );
    $('problems').replaceChildren(
      ...(s.problems.length ? s.problems.map((problem) => el('li', {}, [
        el('div', { textContent: forPeople(problem.at) + ' · ' + problem.what }),
        el('div', { className: 'muted', textContent: problem.message }),
        ...(problem.screenshot ? [el('a', { href: '/screenshots/' + problem.screenshot.split('/').pop(), target: '_blank' }, [el('img', { src: '/screenshots/' + problem.screenshot.split('/').pop(), alt: 'screenshot of the page' })])] : []),
      ])) : [el('li', { className: 'muted', textContent: 'No errors.' })]),
    );
    $('creatives').replaceChildren(
      ...(s.creatives.length ? s.creatives.map((creative) => el('figure', { className: 'creative' }, [
        creative.picture ? el('img', { src: '/thumbnails/' + creative.key, alt: creative.name, loading: 'lazy' }) : el('span', { className: 'none', textContent: 'no picture' }),
        el('div', { textContent: creative.name }),
        el('div', { className: 'state-' + creative.state, textContent: creative.state + (creative.reviewStatus ? ' · ' + creative.reviewStatus : '') + Object.entries(creative.ids).map(([platform, ids]) => ' · ' + platform + ' ' + ids.join(' / ')).join('') }),
      ])) : [el('div', { className: 'muted', textContent: 'No creatives yet today.' })]),
    );
    drawChart(s.days);
  }

  // The results change hourly at most: read on load and every five minutes, not with every event.
  async function drawWinners() {
    const response = await fetch('/api/results').catch(() => undefined);
    if (!response || !response.ok) return;
    const table = await response.json();
    const card = (creative) => el('figure', { className: 'creative' }, [
      creative.picture && creative.key ? el('img', { src: '/thumbnails/' + creative.key, alt: creative.name, loading: 'lazy' }) : el('span', { className: 'none', textContent: 'no picture' }),
      el('div', { textContent: creative.name }),
      el('div', { className: 'why ' + (creative.verdict === 'kill' ? 'state-failed' : 'state-uploaded'), textContent: creative.verdict + ': ' + creative.reason }),
    ]);
    const list = (verdict, title) => {
      const shown = table.creatives.filter((creative) => creative.verdict === verdict);
      return [el('h3', { textContent: title }), shown.length ? el('div', { className: 'grid' }, shown.map(card)) : el('div', { className: 'muted', textContent: 'none' })];
    };
    const byId = new Map(table.creatives.map((creative) => [creative.unique_id, creative]));
    $('winners').replaceChildren(
      ...(table.creatives.length ? [
        ...list('scale', 'Scale (more budget)'),
        ...list('kill', 'Kill (pause them)'),
        ...(table.tests.length ? [el('h3', { textContent: 'Tests' }), el('ul', {}, table.tests.map((test) => el('li', { textContent: test.test_id + ': ' + (test.best ? (byId.get(test.best)?.name ?? test.best) + ' (' + test.best + ')' : 'no conversion yet') })))] : []),
      ] : [el('div', { className: 'muted', textContent: 'No results yet: they come from the platforms\' reporting APIs (TJ needs TJ_API_KEY), hourly.' })]),
    );
  }
  drawWinners();
  setInterval(drawWinners, 5 * 60_000);

  function drawChart(days) {
    const labels = days.map((day) => day.date);
    const series = [['received', '#0969da'], ['uploaded', '#1a7f37'], ['rejected', '#9a6700'], ['failed', '#cf222e']];
    const datasets = series.map(([key, color]) => ({ label: key, data: days.map((day) => day[key]), backgroundColor: color, borderColor: color }));
    if (!window.Chart) return;
    if (!chart) {
      chart = new Chart($('chart'), { type: 'bar', data: { labels, datasets }, options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
      return;
    }
    chart.data.labels = labels;
    chart.data.datasets.forEach((dataset, i) => (dataset.data = datasets[i].data));
    chart.update();
  }

  setInterval(() => {
    for (const cell of document.querySelectorAll('.timer')) cell.textContent = ago(cell.dataset.since);
    for (const cell of document.querySelectorAll('.next')) cell.textContent = until(cell.dataset.at);
  }, 1000);

  const listen = () => {
    const events = new EventSource('/events');
    events.addEventListener('state', (event) => {
      state = JSON.parse(event.data);
      draw();
      window.__cfUpdates = (window.__cfUpdates || 0) + 1;
    });
    events.onopen = () => { $('live').className = 'live on'; $('live').textContent = 'live'; };
    events.onerror = () => {
      $('live').className = 'live off';
      $('live').textContent = 'reconnecting';
      // Refused (a restarted daemon made a new cookie): the tab's token buys the new one, then the stream opens again.
      if (events.readyState === EventSource.CLOSED) setTimeout(() => fetch('/', { headers: token ? { 'x-creative-flow-token': token } : {} }).catch(() => undefined).finally(listen), 2000);
    };
  };
  listen();

  for (const button of document.querySelectorAll('button[data-job]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      $('action-result').textContent = button.textContent + '…';
      try {
        const response = await fetch('/api/jobs/' + button.dataset.job, { method: 'POST', headers: { 'content-type': 'application/json', 'x-creative-flow-token': token }, body: '{}' });
        const answer = await response.json();
        $('action-result').textContent = button.textContent + ': ' + (response.ok ? 'done' : answer.plain || answer.error);
      } catch (error) {
        $('action-result').textContent = button.textContent + ': ' + error.message;
      } finally {
        button.disabled = false;
      }
    });
  }
})();
`;

// The ImageBuilder dashboard: plain DOM, no framework. Every value from the server is set as text (textContent),
// never as HTML, because repository names, messages and log tails come from users.
'use strict';

(() => {
  const API = '/api/dashboard';
  const MAX_ROWS = 500;
  const PHASES = ['Pending', 'Queued', 'Building', 'Retrying', 'Succeeded', 'Failed', 'Superseded', 'Cancelled'];
  const builds = new Map();
  let route = { view: 'builds', params: new URLSearchParams() };
  let renderQueued = false;
  let detailTimer = null;
  let queuesTimer = null;
  let catalog = null;

  const $ = id => document.getElementById(id);

  /** Creates an element; props are properties (or attributes for data-/aria-), children are nodes or text. */
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('data-') || k.startsWith('aria-') || ['scope', 'datetime', 'role'].includes(k)) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  const keyOf = b => `${b.namespace}/${b.name}`;
  const short = sha => (sha ? sha.slice(0, 12) : '');
  const dash = v => (v === undefined || v === null || v === '' ? '—' : v);

  function span(seconds) {
    if (seconds < 0) seconds = 0;
    const s = Math.floor(seconds);
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
    return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  }

  /** A time cell that tick() keeps current: the span from data-from to data-to (or now). */
  function elapsed(from, to) {
    if (!from) return el('span', {}, '—');
    return el('span', { class: 'elapsed', 'data-from': from, 'data-to': to || '' }, elapsedText(from, to));
  }

  function elapsedText(from, to) {
    const end = to ? Date.parse(to) : Date.now();
    return span((end - Date.parse(from)) / 1000);
  }

  function tick() {
    for (const e of document.querySelectorAll('.elapsed')) {
      e.textContent = elapsedText(e.dataset.from, e.dataset.to);
    }
  }

  function when(iso) {
    if (!iso) return '—';
    return el('time', { datetime: iso, title: iso }, new Date(iso).toLocaleString());
  }

  function phaseBadge(phase) {
    const known = PHASES.includes(phase) ? phase : 'Unknown';
    return el('span', { class: `phase phase-${known}` }, phase || 'New');
  }

  function table(caption, headers, rows) {
    return el('div', { class: 'scroll', role: 'region', 'aria-label': caption, tabIndex: 0 },
      el('table', {},
        el('caption', { class: 'visually-hidden' }, caption),
        el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col', class: h.endsWith('#') ? 'num' : '' }, h.replace(/#$/, ''))))),
        el('tbody', {}, rows)));
  }

  async function getJson(path) {
    const response = await fetch(API + path, { headers: { Accept: 'application/json' } });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  // ---- live builds ------------------------------------------------------------------------------------------------

  function setLive(on, text) {
    const live = $('live');
    live.className = `live ${on ? 'on' : 'off'}`;
    live.textContent = text;
  }

  function connect() {
    const source = new EventSource(`${API}/builds/stream`);
    source.addEventListener('snapshot', e => {
      builds.clear();
      for (const b of JSON.parse(e.data)) builds.set(keyOf(b), b);
      setLive(true, 'Live');
      scheduleRender();
      changed(null);
    });
    source.addEventListener('upsert', e => {
      const b = JSON.parse(e.data);
      builds.set(keyOf(b), b);
      scheduleRender();
      changed(keyOf(b));
    });
    source.addEventListener('delete', e => {
      const b = JSON.parse(e.data);
      builds.delete(keyOf(b));
      scheduleRender();
      changed(keyOf(b));
    });
    // EventSource reconnects by itself; the server then sends a fresh snapshot.
    source.addEventListener('error', () => setLive(false, 'Reconnecting…'));
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      renderBuilds();
    });
  }

  function fillOptions(select, values, allLabel) {
    const current = select.value;
    const wanted = ['', ...values];
    const existing = [...select.options].map(o => o.value);
    if (existing.length === wanted.length && existing.every((v, i) => v === wanted[i])) return;
    select.replaceChildren(el('option', { value: '' }, allLabel), ...values.map(v => el('option', { value: v }, v)));
    select.value = wanted.includes(current) ? current : '';
  }

  function renderBuilds() {
    const all = [...builds.values()];
    const distinct = f => [...new Set(all.map(f).filter(Boolean))].sort();
    fillOptions($('filter-namespace'), distinct(b => b.namespace), 'All namespaces');
    fillOptions($('filter-user'), distinct(b => b.user), 'All users');
    const p = route.params;
    for (const name of ['namespace', 'user', 'phase']) {
      const select = $(`filter-${name}`);
      const value = p.get(name) || '';
      if ([...select.options].some(o => o.value === value)) select.value = value;
    }
    const ns = $('filter-namespace').value;
    const user = $('filter-user').value;
    const phase = $('filter-phase').value;
    const shown = all
      .filter(b => (!ns || b.namespace === ns) && (!user || b.user === user) && (!phase || b.phase === phase))
      .sort((a, b) => (b.created || '').localeCompare(a.created || '') || a.name.localeCompare(b.name));
    const rows = shown.slice(0, MAX_ROWS).map(b => el('tr', { 'data-key': keyOf(b) },
      el('th', { scope: 'row' }, el('a', { href: `#/build/${encodeURIComponent(b.namespace)}/${encodeURIComponent(b.name)}` }, keyOf(b))),
      el('td', {}, b.user),
      el('td', {}, b.repo),
      el('td', {}, b.ref),
      el('td', { class: 'mono', title: b.commit || '' }, short(b.commit)),
      el('td', {}, phaseBadge(b.phase)),
      el('td', { class: 'num' }, String(b.retries)),
      el('td', { class: 'num' }, elapsed(b.started, b.completed)),
      el('td', { class: 'num' }, elapsed(b.created, null))));
    $('builds-body').replaceChildren(...rows);
    $('builds-empty').hidden = shown.length > 0;
    $('builds-count').textContent = shown.length > MAX_ROWS
      ? `Showing the newest ${MAX_ROWS} of ${shown.length} builds (${all.length} in all)`
      : `${shown.length} of ${all.length} builds`;
  }

  function onFilter() {
    const params = new URLSearchParams();
    for (const name of ['namespace', 'user', 'phase']) {
      const value = $(`filter-${name}`).value;
      if (value) params.set(name, value);
    }
    const query = params.toString();
    history.replaceState(null, '', `#/builds${query ? `?${query}` : ''}`);
    route = { view: 'builds', params };
    renderBuilds();
  }

  // ---- one build ----------------------------------------------------------------------------------------------------

  /** A change of the build on screen re-reads its detail (Events and Jobs are not in the stream). */
  function changed(key) {
    if (route.view !== 'build') return;
    if (key !== null && key !== `${route.namespace}/${route.name}`) return;
    clearTimeout(detailTimer);
    detailTimer = setTimeout(loadDetail, 250);
  }

  async function loadDetail() {
    const { namespace, name } = route;
    const content = $('build-content');
    let detail;
    try {
      detail = await getJson(`/builds/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`);
    } catch (e) {
      content.replaceChildren(el('p', { class: 'error' }, `Could not load the build: ${e.message}`));
      return;
    }
    if (route.view !== 'build' || route.namespace !== namespace || route.name !== name) return;
    if (!detail) {
      content.replaceChildren(el('p', { class: 'empty' }, `The operator does not see ${namespace}/${name} (deleted, or in a namespace it does not watch).`));
      return;
    }
    content.replaceChildren(...renderDetail(detail));
  }

  function renderDetail(d) {
    const b = d.build;
    const facts = [
      ['Phase', phaseBadge(b.phase)],
      ['Reason', dash(b.reason)],
      ['Repository', `${b.repo} (${b.connector})`],
      ['Ref', dash(b.ref)],
      ['Commit', el('span', { class: 'mono' }, dash(b.commit))],
      ['User', dash(b.user)],
      ['Application', dash(b.application)],
      ['Retries', d.maxRetries === null || d.maxRetries === undefined ? String(b.retries) : `${b.retries} of at most ${d.maxRetries}`],
      ['Image', el('span', { class: 'mono' }, dash(b.image))],
      ['Digest', el('span', { class: 'mono' }, dash(b.digest))],
      ['Builder', dash(d.builder)],
      ['Created', when(b.created)],
      ['Started', when(b.started)],
      ['Completed', when(b.completed)],
      ['Duration', elapsed(b.started, b.completed)],
      ['Next attempt', when(d.nextAttemptTime)],
      ['Current Job', el('span', { class: 'mono' }, dash(d.currentJob))],
      ['Generation', `${dash(d.generation)} (observed ${dash(d.observedGeneration)})`],
    ];
    const out = [el('dl', { class: 'facts' }, facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))];

    out.push(el('h3', {}, 'Last failure'));
    const f = d.lastFailure;
    if (f) {
      out.push(el('div', { class: 'failure', 'data-testid': 'last-failure' },
        el('p', {}, el('strong', {}, f.reason), ` — ${f.fault} fault, attempt ${f.attempt}`),
        el('p', {}, f.message),
        f.logTail ? [el('h4', {}, 'Build log (tail)'), el('pre', { class: 'log', tabIndex: 0, 'aria-label': 'Build log tail' }, f.logTail)] : el('p', { class: 'note' }, 'No build log: the failure came before a build ran.')));
    } else {
      out.push(el('p', { class: 'note' }, 'None.'));
    }

    out.push(el('h3', {}, 'Conditions'));
    out.push(d.conditions.length === 0 ? el('p', { class: 'note' }, 'None yet.') :
      table('Status conditions of the build', ['Type', 'Status', 'Reason', 'Message', 'Since'], d.conditions.map(c =>
        el('tr', {}, el('th', { scope: 'row' }, c.type), el('td', {}, c.status), el('td', {}, dash(c.reason)), el('td', {}, dash(c.message)), el('td', {}, when(c.lastTransitionTime))))));

    out.push(el('h3', {}, 'Jobs'));
    out.push(d.jobs.length === 0 ? el('p', { class: 'note' }, 'No build Job (none started yet, a cache hit, or already pruned).') :
      table('Build Jobs, newest first', ['Job', 'Attempt', 'State', 'Started', 'Completed', 'Message'], d.jobs.map(j =>
        el('tr', {}, el('th', { scope: 'row', class: 'mono' }, j.name), el('td', {}, dash(j.attempt)), el('td', {}, j.state),
          el('td', {}, when(j.started)), el('td', {}, when(j.completed)), el('td', {}, dash(j.message))))));

    out.push(el('h3', {}, 'Notification'));
    const n = d.notification;
    out.push(n ? el('dl', { class: 'facts' },
      el('dt', {}, 'Queue'), el('dd', { class: 'mono' }, n.queue),
      el('dt', {}, 'Message id'), el('dd', { class: 'mono' }, n.messageId),
      el('dt', {}, 'Confirmed by the broker'), el('dd', {}, when(n.confirmedTime)))
      : el('p', { class: 'note' }, 'None sent yet (sent once the build succeeds or finally fails).'));

    out.push(el('h3', {}, 'Events'));
    if (d.eventsError) out.push(el('p', { class: 'error' }, d.eventsError));
    else out.push(d.events.length === 0 ? el('p', { class: 'note' }, 'No Events.') :
      table('Kubernetes Events about the build, oldest first', ['Last seen', 'Type', 'Reason', 'Message', 'Count#'], d.events.map(e =>
        el('tr', {}, el('td', {}, when(e.last)), el('td', {}, e.type), el('td', {}, e.reason), el('td', {}, e.message), el('td', { class: 'num' }, String(e.count))))));
    return out;
  }

  // ---- queues -------------------------------------------------------------------------------------------------------

  async function loadQueues() {
    let view;
    try {
      view = await getJson('/queues');
    } catch (e) {
      $('queues-info').textContent = `Could not read the queues: ${e.message}`;
      return;
    }
    if (!view.enabled) {
      $('queues-info').textContent = 'RabbitMQ is switched off (RabbitMq:Enabled=false): no queues.';
      $('queues-body').replaceChildren();
      return;
    }
    $('queues-info').textContent = `Broker ${view.broker}, read at ${new Date(view.readAt).toLocaleTimeString()}; refreshed every 5 s.`;
    $('queues-body').replaceChildren(...view.queues.map(q => el('tr', {},
      el('th', { scope: 'row' }, q.role),
      el('td', { class: 'mono' }, q.name),
      el('td', { class: 'num' }, q.error ? q.error : String(q.messages)),
      el('td', { class: 'num' }, q.error ? '—' : String(q.consumers)))));
  }

  // ---- registry -----------------------------------------------------------------------------------------------------

  async function loadCatalog(force) {
    if (catalog && !force) {
      renderCatalog();
      return;
    }
    $('registry-info').textContent = 'Reading the registry…';
    try {
      catalog = await getJson('/registry');
    } catch (e) {
      $('registry-info').textContent = `Could not read the registry: ${e.message}`;
      return;
    }
    renderCatalog();
  }

  function renderCatalog() {
    const filter = $('registry-filter').value.trim();
    if (catalog.error) {
      $('registry-info').textContent = catalog.error;
      $('registry-body').replaceChildren();
      return;
    }
    const shown = catalog.repositories.filter(r => !filter || r.name.includes(filter));
    $('registry-info').textContent = `${catalog.registry}: ${shown.length} of ${catalog.repositories.length} repositories${catalog.truncated ? ' (the catalog was cut at the configured maximum)' : ''}`;
    $('registry-body').replaceChildren(...shown.slice(0, MAX_ROWS).map(r => el('tr', {},
      el('th', { scope: 'row', class: 'mono' }, r.name),
      el('td', { class: 'num' }, String(r.builds)),
      el('td', {}, el('button', { type: 'button', 'aria-controls': 'tags', onclick: () => openRepository(r.name) }, 'Show tags',
        el('span', { class: 'visually-hidden' }, ` of ${r.name}`))))));
  }

  function openRepository(name) {
    const params = new URLSearchParams(route.params);
    params.set('repository', name);
    location.hash = `#/registry?${params}`;
  }

  async function loadTags(repository) {
    $('tags').hidden = false;
    $('tags-title').textContent = `Tags of ${repository}`;
    $('tags-info').textContent = 'Reading tags…';
    $('tags-body').replaceChildren();
    let view;
    try {
      view = await getJson(`/registry/${repository.split('/').map(encodeURIComponent).join('/')}`);
    } catch (e) {
      $('tags-info').textContent = `Could not read the tags: ${e.message}`;
      return;
    }
    if (route.params.get('repository') !== repository) return;
    if (view.error) {
      $('tags-info').textContent = view.error;
      return;
    }
    $('tags-info').textContent = `${view.tags.length} ${view.tags.length === 1 ? 'tag' : 'tags'}${view.truncated ? ' (cut at the configured maximum)' : ''}; size is the compressed size of the config and layers.`;
    $('tags-body').replaceChildren(...view.tags.map(t => el('tr', {},
      el('th', { scope: 'row', class: 'mono' }, t.tag),
      el('td', { class: 'mono', title: t.digest || '' }, t.error ? t.error : dash(t.digest)),
      el('td', { class: 'num' }, size(t.size)),
      el('td', {}, t.builds.length === 0 ? '—' : t.builds.map((k, i) => {
        const [ns, ...rest] = k.split('/');
        return [i ? ', ' : '', el('a', { href: `#/build/${encodeURIComponent(ns)}/${encodeURIComponent(rest.join('/'))}` }, k)];
      })))));
  }

  function size(bytes) {
    if (bytes === null || bytes === undefined) return '—';
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let v = bytes;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u += 1;
    }
    return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
  }

  // ---- routing ------------------------------------------------------------------------------------------------------

  function parseRoute() {
    const hash = location.hash.replace(/^#\/?/, '');
    const [path, query] = hash.split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(query || '');
    if (parts[0] === 'build' && parts.length >= 3) return { view: 'build', namespace: parts[1], name: parts.slice(2).join('/'), params };
    if (parts[0] === 'queues' || parts[0] === 'registry') return { view: parts[0], params };
    return { view: 'builds', params };
  }

  function show() {
    const previous = route.view;
    route = parseRoute();
    for (const view of ['builds', 'build', 'queues', 'registry']) $(`view-${view}`).hidden = view !== route.view;
    for (const a of document.querySelectorAll('nav a')) {
      const current = a.dataset.view === route.view || (route.view === 'build' && a.dataset.view === 'builds');
      if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    clearInterval(queuesTimer);
    if (route.view === 'builds') {
      document.title = 'Builds · ImageBuilder';
      renderBuilds();
    } else if (route.view === 'build') {
      document.title = `${route.name} · ImageBuilder`;
      $('build-title').textContent = `Build ${route.namespace}/${route.name}`;
      $('build-content').replaceChildren(el('p', { class: 'note' }, 'Loading…'));
      loadDetail();
    } else if (route.view === 'queues') {
      document.title = 'Queues · ImageBuilder';
      loadQueues();
      queuesTimer = setInterval(loadQueues, 5000);
    } else {
      document.title = 'Registry · ImageBuilder';
      const repository = route.params.get('repository');
      loadCatalog(false);
      if (repository) loadTags(repository); else $('tags').hidden = true;
    }
    if (previous !== route.view) $(`${route.view === 'build' ? 'build' : route.view}-title`).focus();
  }

  document.addEventListener('DOMContentLoaded', () => {
    for (const name of ['namespace', 'user', 'phase']) $(`filter-${name}`).addEventListener('change', onFilter);
    $('filters').addEventListener('submit', e => e.preventDefault());
    $('registry-filters').addEventListener('submit', e => e.preventDefault());
    $('registry-filter').addEventListener('input', () => catalog && renderCatalog());
    $('registry-refresh').addEventListener('click', () => {
      loadCatalog(true);
      const repository = route.params.get('repository');
      if (repository) loadTags(repository);
    });
    $('queues-refresh').addEventListener('click', loadQueues);
    window.addEventListener('hashchange', show);
    setInterval(tick, 1000);
    show();
    connect();
  });
})();

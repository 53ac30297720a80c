'use strict';
// The fleet dashboard: a live grid from the fleet's event stream, alerts with acknowledgement,
// usage charts and the sessions export (a table's panel: table-panel.js; the fleet's settings: fleet-settings.js).
// Plain browser JavaScript: no build step.

const BANDS = [
  ['FLAT_0_20', '0-20°', '#9bb7d4'], ['BAND_20_40', '20-40°', '#3b7dd8'], ['BAND_40_60', '40-60°', '#1d4e89'],
  ['STEEP_60_75', '60-75°', '#f79009'], ['STEEP_75_90', '75-90°', '#b42318'], ['HEAD_UP', 'head-up', '#98a2b3']];
const state = { key: sessionStorage.getItem('tiltfleet.key'), me: null, fleet: 'fleet-1', tables: new Map(), alerts: new Map(),
  maintenance: new Map(), registry: new Map(), stream: null, lastAlertEventId: null };
const $ = id => document.getElementById(id);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
  children.forEach(child => node.append(child));
  return node;
}

async function api(path, options = {}) {
  const headers = { 'X-API-Key': state.key, ...(options.body ? { 'Content-Type': 'application/json' } : {}) };
  const response = await fetch(path, { ...options, headers });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (ignored) { /* not a problem body */ }
    const error = new Error(`${response.status} ${detail}`);
    error.status = response.status;
    throw error;
  }
  return response;
}

async function signIn(key) {
  state.key = key;
  const me = await (await api('/api/me')).json();
  sessionStorage.setItem('tiltfleet.key', key);
  state.me = me;
  $('caller').textContent = `${me.name} (${me.roles.join(', ')}) `;
  const signOut = element('button', { type: 'button' }, 'Sign out');
  signOut.onclick = () => { sessionStorage.removeItem('tiltfleet.key'); location.reload(); };
  $('caller').append(signOut);
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('export-csv').hidden = !me.roles.includes('analyst');
  // a credential limited to some fleets opens on its first one
  if (!me.fleets.includes('*') && !me.fleets.includes($('fleet').value)) $('fleet').value = me.fleets[0] || '';
  showFleet($('fleet').value);
}

function showFleet(fleet) {
  state.fleet = fleet;
  state.tables.clear();
  state.alerts.clear();
  state.maintenance.clear();
  state.registry.clear();
  // the stream resumes from just before the alert list is loaded: nothing changed in between is missed
  state.lastAlertEventId = `${Date.now()}-list-loaded`;
  $('tables').replaceChildren();
  loadTables().then(loadAlerts).then(openStream).catch(error => status(`Could not load the fleet: ${error.message}`));
  showFleetsWeek().then(loadUsage);
  loadFailingChannels();
  loadSettings();
}

function status(text) {
  $('status').textContent = text;
}

// ---- live tables ----

const TABLES_PAGE = 1000;

async function loadTables() {
  const tables = [];
  for (let page = 0; ; page++) {
    const part = await (await api(`/api/fleet/${encodeURIComponent(state.fleet)}/tables?page=${page}&size=${TABLES_PAGE}`)).json();
    tables.push(...part);
    if (part.length < TABLES_PAGE) break;
  }
  // where each table stands comes with the list only: the stream's table states do not carry it
  state.registry = new Map(tables.filter(table => table.registered).map(table => [table.tableId, table]));
  tables.forEach(showTable);
  // marked when known: the grid and the live stream never wait for it
  loadMaintenance().catch(error => status(`Could not load the maintenance: ${error.message}`));
}

// Tables under maintenance raise no warnings: their cards say so, until when.
async function loadMaintenance() {
  const fleet = state.fleet;
  const under = await (await api(`/api/fleet/${encodeURIComponent(fleet)}/maintenance`)).json();
  if (fleet !== state.fleet) return;
  const before = new Set(state.maintenance.keys());
  state.maintenance = new Map(under.map(maintenance => [maintenance.tableId, maintenance.until]));
  new Set([...before, ...state.maintenance.keys()]).forEach(tableId => {
    if (state.tables.has(tableId)) showTable(state.tables.get(tableId));
  });
}

function showTable(table) {
  state.tables.set(table.tableId, table);
  let card = document.querySelector(`.table[data-table-id="${CSS.escape(table.tableId)}"]`);
  if (!card) {
    card = element('div', { class: 'table', 'data-table-id': table.tableId, role: 'button', tabindex: '0', title: 'Open the table' });
    const cards = [...$('tables').children];
    const after = cards.find(other => other.dataset.tableId.localeCompare(table.tableId, undefined, { numeric: true }) > 0);
    $('tables').insertBefore(card, after || null);
  }
  const alerts = table.activeAlerts || [];
  const maintenanceUntil = state.maintenance.get(table.tableId);
  const underMaintenance = maintenanceUntil && new Date(maintenanceUntil) > new Date();
  card.className = `table${table.online ? '' : ' offline'}${alerts.length ? ' alerting' : ''}${underMaintenance ? ' maintenance' : ''}`;
  const angle = table.angleDeg == null ? '–' : `${table.angleDeg.toFixed(1)}°`;
  const session = table.inSession && table.sessionElapsedS != null ? `session ${clock(table.sessionElapsedS)}` : 'no session';
  card.replaceChildren(
    element('div', { class: 'id' }, element('span', { class: 'online-dot', title: table.online ? 'online' : 'offline' }), table.tableId),
    element('div', { class: 'place' }, placeOf(table.tableId)),
    element('div', { class: 'angle', 'data-angle': table.angleDeg == null ? '' : String(table.angleDeg) }, angle),
    element('div', { class: 'meta' }, `${session} · ${table.online ? 'online' : 'offline'}`),
    element('div', { class: 'badges' },
      ...(underMaintenance ? [element('span', { class: 'badge maintenance', title: `warnings held back until ${new Date(maintenanceUntil).toLocaleString()}` },
        `maintenance until ${new Date(maintenanceUntil).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`)] : []),
      ...alerts.map(type => element('span', { class: 'badge' }, type.replaceAll('_', ' ').toLowerCase()))));
  $('table-count').textContent = `(${state.tables.size})`;
}

function clock(seconds) {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

// The event stream is read with fetch, which, unlike EventSource, can send the credential header.
async function openStream() {
  if (state.stream) state.stream.abort();
  const controller = new AbortController();
  state.stream = controller;
  const fleet = state.fleet;
  while (!controller.signal.aborted && fleet === state.fleet) {
    try {
      status('Connecting to the live stream...');
      // after an interruption, the alert changes missed meanwhile come first (the stream keeps 15 minutes of them)
      const headers = { 'X-API-Key': state.key, Accept: 'text/event-stream' };
      if (state.lastAlertEventId) headers['Last-Event-ID'] = state.lastAlertEventId;
      const response = await fetch(`/api/fleet/${encodeURIComponent(fleet)}/stream`, { headers, signal: controller.signal });
      if (!response.ok) throw new Error(`${response.status}`);
      status(`Live: ${state.tables.size} tables of ${fleet}`);
      await readEvents(response.body.getReader(), controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return;
      status(`Live stream interrupted (${error.message}); reconnecting in 3 s...`);
    }
    await new Promise(resolve => setTimeout(resolve, 3000));
  }
}

async function readEvents(reader, signal) {
  const decoder = new TextDecoder();
  let buffer = '';
  while (!signal.aborted) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the stream ended');
    buffer += decoder.decode(value, { stream: true }).replaceAll('\r\n', '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      dispatch(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

function dispatch(block) {
  let event = 'message';
  let id = null;
  const data = [];
  block.split('\n').forEach(line => {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  });
  if (!data.length) return;
  const payload = JSON.parse(data.join('\n'));
  if (id) state.lastAlertEventId = id;
  if (event === 'gap') {
    loadAlerts();
    return;
  }
  if (event === 'overflow') throw new Error(payload.reason);
  if (event === 'table') {
    showTable(payload);
    status(`Live: ${state.tables.size} tables of ${state.fleet}, last update ${new Date().toLocaleTimeString()}`);
  } else if (event === 'alert') {
    showAlert({ id: payload.alertId, tableId: payload.tableId, type: payload.type, severity: payload.severity, state: payload.state,
      raisedAt: payload.raisedAt, updatedAt: payload.updatedAt, reason: payload.reason, acknowledgedBy: payload.acknowledgedBy });
  }
}

// ---- notification channels that failed for good: somebody is not being told ----

async function loadFailingChannels() {
  const fleet = state.fleet;
  const banner = $('notification-failures');
  // who is notified, and how it failed, is for operators (the API answers others 403)
  if (!state.me.roles.includes('operator')) {
    banner.hidden = true;
    return;
  }
  try {
    const failed = await (await api(`/api/notifications?fleetId=${encodeURIComponent(fleet)}&outcome=FAILED_FOR_GOOD&limit=50`)).json();
    if (fleet !== state.fleet) return;
    const since = Date.now() - 24 * 3600 * 1000;
    const channels = new Map();
    failed.filter(attempt => Date.parse(attempt.at) >= since)
      .forEach(attempt => { if (!channels.has(attempt.channelId)) channels.set(attempt.channelId, attempt); });
    banner.hidden = channels.size === 0;
    banner.textContent = channels.size === 0 ? '' : 'Notifications failing for good in the last 24 h: '
      + [...channels.values()].map(attempt => `${attempt.channelId} (${attempt.detail || 'refused'}, ${new Date(attempt.at).toLocaleTimeString()})`).join('; ')
      + ". Check the fleet's notification policy.";
  } catch (error) {
    // the notification service away or not allowed to this credential: the rest of the dashboard goes on
    banner.hidden = true;
  }
}

// ---- alerts ----

async function loadAlerts() {
  const alerts = await (await api(`/api/alerts?fleetId=${encodeURIComponent(state.fleet)}&size=100`)).json();
  alerts.forEach(showAlert);
}

function showAlert(alert) {
  // a change replayed after a reconnection may be older than one already shown
  const shown = state.alerts.get(alert.id);
  if (shown && Date.parse(shown.updatedAt) > Date.parse(alert.updatedAt)) return;
  state.alerts.set(alert.id, alert);
  const rows = [...state.alerts.values()].sort((a, b) => (b.updatedAt || '').localeCompare(a.updatedAt || '')).slice(0, 100);
  $('alerts').tBodies[0].replaceChildren(...rows.map(alertRow));
}

function alertRow(alert) {
  const action = element('td');
  if (alert.state.endsWith('_UNACKNOWLEDGED') && state.me.roles.includes('operator')) {
    const button = element('button', { type: 'button', 'data-alert-id': alert.id }, 'Acknowledge');
    button.onclick = () => acknowledge(alert, button);
    action.append(button);
  } else if (alert.acknowledgedBy) {
    action.append(`by ${alert.acknowledgedBy}`);
  }
  return element('tr', { 'data-alert-id': alert.id, 'data-state': alert.state },
    element('td', {}, alert.tableId), element('td', {}, alert.type), element('td', { class: `sev-${alert.severity}` }, alert.severity),
    element('td', {}, alert.state.replaceAll('_', ' ').toLowerCase()), element('td', {}, new Date(alert.raisedAt).toLocaleTimeString()),
    element('td', {}, alert.reason || ''), action);
}

async function acknowledge(alert, button) {
  button.disabled = true;
  button.textContent = 'Acknowledging...';
  try {
    const acknowledged = await (await api(`/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`,
      { method: 'POST', body: JSON.stringify({ by: state.me.name }) })).json();
    showAlert(acknowledged);
  } catch (error) {
    button.disabled = false;
    button.textContent = 'Acknowledge';
    status(`Could not acknowledge: ${error.message}`);
  }
}

// ---- usage and export ----

/** The usage range ends on the fleet's today, in its time zone, which the browser's clock does not know. */
async function showFleetsWeek() {
  try {
    const summary = await (await api(`/api/analytics/fleets/${encodeURIComponent(state.fleet)}/summary`)).json();
    $('usage-to').value = summary.day;
    $('usage-from').value = new Date(Date.parse(`${summary.day}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
  } catch (error) {
    status(`Could not read the fleet's today, showing the browser's: ${error.message}`);
  }
}

/** Local days of the fleet's time zone: the analytics take a day as the start of that day there. */
function range() {
  const to = new Date(`${$('usage-to').value}T00:00:00Z`);
  to.setUTCDate(to.getUTCDate() + 1);
  return { from: $('usage-from').value, to: to.toISOString().slice(0, 10) };
}

async function loadUsage() {
  const { from, to } = range();
  $('usage-status').textContent = 'Loading usage...';
  try {
    const report = await (await api(`/api/analytics/fleets/${encodeURIComponent(state.fleet)}/usage?granularity=DAY&from=${from}&to=${to}`)).json();
    const days = report.periods.map(period => period.localStart.slice(5, 10));
    barChart($('sessions-chart'), days, [{ color: '#1d4e89', values: report.periods.map(period => period.sessions) }]);
    barChart($('bands-chart'), days, BANDS.map(([band, , color]) => ({ color, values: report.periods.map(period => period.minutesPerBand[band] || 0) })));
    $('bands-legend').replaceChildren(...BANDS.map(([, label, color]) => element('span', {}, element('i', { style: `background:${color}` }), label)));
    const sessions = report.periods.reduce((sum, period) => sum + period.sessions, 0);
    const minutes = report.periods.reduce((sum, period) => sum + period.invertedMinutes, 0);
    $('usage-status').textContent = `${sessions} sessions, ${minutes.toFixed(1)} minutes inverted (days in ${report.timeZone})`;
  } catch (error) {
    $('usage-status').textContent = `Could not load usage: ${error.message}`;
  }
}

function svgShape(tag, attributes, text) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function barChart(svg, labels, series) {
  const width = svg.clientWidth || 400;
  const height = 220;
  const pad = { left: 34, bottom: 22, top: 10 };
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + s.values[i], 0));
  const max = Math.max(1, ...totals);
  const slot = (width - pad.left) / Math.max(1, labels.length);
  const scale = (height - pad.bottom - pad.top) / max;
  const shape = svgShape;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const nodes = [shape('text', { x: 2, y: pad.top + 8 }, Number.isInteger(max) ? max : max.toFixed(1)), shape('text', { x: 2, y: height - pad.bottom }, 0)];
  labels.forEach((label, i) => {
    let y = height - pad.bottom;
    series.forEach(s => {
      const h = s.values[i] * scale;
      y -= h;
      const bar = shape('rect', { x: pad.left + i * slot + slot * 0.15, y, width: slot * 0.7, height: Math.max(0, h), fill: s.color });
      bar.append(shape('title', {}, `${label}: ${s.values[i]}`));
      nodes.push(bar);
    });
    if (labels.length <= 16 || i % Math.ceil(labels.length / 16) === 0) {
      nodes.push(shape('text', { x: pad.left + i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle' }, label));
    }
  });
  svg.replaceChildren(...nodes);
}

async function exportSessions() {
  const { from, to } = range();
  const button = $('export-csv');
  button.disabled = true;
  try {
    const response = await api(`/api/analytics/fleets/${encodeURIComponent(state.fleet)}/exports/sessions?format=CSV&from=${from}&to=${to}`);
    const reader = response.body.getReader();
    const chunks = [];
    let bytes = 0;
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      chunks.push(part.value);
      bytes += part.value.length;
      $('usage-status').textContent = `Exporting... ${(bytes / 1024).toFixed(0)} KB`;
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '')?.[1] || 'sessions.csv';
    const link = element('a', { href: URL.createObjectURL(new Blob(chunks, { type: 'text/csv' })), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    $('usage-status').textContent = `Exported ${name} (${(bytes / 1024).toFixed(0)} KB)`;
  } catch (error) {
    $('usage-status').textContent = `Export failed: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

// ---- start ----

(function start() {
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86_400_000);
  $('usage-to').value = today.toISOString().slice(0, 10);
  $('usage-from').value = weekAgo.toISOString().slice(0, 10);
  $('login-form').onsubmit = event => {
    event.preventDefault();
    signIn($('api-key').value).catch(error => { $('login-error').textContent = error.status === 401 ? 'That key is not known.' : error.message; });
  };
  $('fleet-form').onsubmit = event => { event.preventDefault(); if (state.me) showFleet($('fleet').value); };
  $('usage-form').onsubmit = event => { event.preventDefault(); loadUsage(); };
  $('export-csv').onclick = exportSessions;
  setInterval(() => { if (state.me) loadFailingChannels(); }, 15_000);
  setInterval(() => { if (state.me) loadMaintenance().catch(error => status(`Could not load the maintenance: ${error.message}`)); }, 15_000);
  if (state.key) {
    signIn(state.key).catch(() => { $('login').hidden = false; });
  } else {
    $('login').hidden = false;
  }
})();

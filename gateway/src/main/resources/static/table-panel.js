'use strict';
// One table opened from its card: where it stands and what it reports of itself, its live state, its alerts, its
// sessions (session-trace.js), its profile and its check-in. Operators register it and check patients in here; other roles only read.
// Uses the helpers of dashboard.js (state, api, element, $).

const CONTRAINDICATIONS = ['HIGH_BLOOD_PRESSURE', 'HEART_DISEASE', 'STROKE_HISTORY', 'GLAUCOMA', 'RETINAL_DETACHMENT', 'PREGNANCY',
  'BONE_FRACTURE', 'SEVERE_OSTEOPOROSIS', 'INNER_EAR_DISORDER', 'HIATAL_HERNIA', 'BLOOD_PRESSURE_MEDICATION', 'BLOOD_THINNERS',
  'GLAUCOMA_TREATMENT'];
const REGISTRY_FIELDS = [['name', 'Name'], ['site', 'Site'], ['room', 'Room'], ['model', 'Model'], ['serialNumber', 'Serial number'], ['notes', 'Notes']];

const isOperator = () => state.me.roles.includes('operator');
const label = text => text.replaceAll('_', ' ').toLowerCase();
const tablePath = tableId => `/api/fleet/${encodeURIComponent(state.fleet)}/tables/${encodeURIComponent(tableId)}`;

/** "Bed 7 · Room 3": what a card says under the table id, once the table is registered. */
function placeOf(tableId) {
  const entry = state.registry.get(tableId);
  return entry ? [entry.name, entry.room].filter(Boolean).join(' · ') : '';
}

async function openTablePanel(tableId) {
  const panel = $('table-panel');
  panel.dataset.tableId = tableId;
  $('panel-title').textContent = tableId;
  $('panel-error').textContent = '';
  ['panel-registry', 'panel-live', 'panel-profile', 'panel-check-in', 'panel-alerts', 'panel-sessions', 'panel-credentials']
    .forEach(id => $(id).replaceChildren('Loading...'));
  $('panel-credentials-section').hidden = !isOperator();
  if (!panel.open) panel.showModal();
  await Promise.all([showRegistry(tableId), showProfile(tableId), showCheckIn(tableId), showTableAlerts(tableId), showTableSessions(tableId),
    isOperator() ? showCredentials(tableId) : Promise.resolve()]);
}

/** The table's broker account, for operators only: its standing, a new password (shown once), or revoking it. */
async function showCredentials(tableId) {
  try {
    const standing = await getOrNull(`${tablePath(tableId)}/credentials`);
    const section = $('panel-credentials');
    section.replaceChildren(element('p', { id: 'credentials-status', 'data-status': standing?.status || 'NONE' }, standing
      ? `Account ${standing.username}: ${label(standing.status)} (${label(standing.action)}, ${new Date(standing.at).toLocaleString()})`
        + `${standing.failure ? `: ${standing.failure}` : ''}.` : 'No broker account issued through the platform.'));
    const issue = element('button', { type: 'button', id: 'issue-credentials' }, standing ? 'Issue a new password' : 'Issue credentials');
    issue.onclick = () => issueCredentials(tableId);
    section.append(issue);
    if (standing && standing.status !== 'REVOKED') {
      const revoke = element('button', { type: 'button', id: 'revoke-credentials' }, 'Revoke (disconnects the table)');
      revoke.onclick = () => change(tableId, api(`${tablePath(tableId)}/credentials`, { method: 'DELETE' }), 'The credentials are revoked.')
        .then(() => showCredentials(tableId));
      section.append(' ', revoke);
    }
  } catch (error) {
    failed('panel-credentials', error);
  }
}

async function issueCredentials(tableId) {
  $('panel-error').textContent = 'Issuing...';
  try {
    const issued = await (await api(`${tablePath(tableId)}/credentials`, { method: 'POST', body: JSON.stringify({}) })).json();
    await showCredentials(tableId);
    $('panel-error').textContent = '';
    $('panel-credentials').append(element('p', { class: 'secret' }, 'Give the table this password now: it is shown this once. ',
      element('code', { id: 'issued-password' }, issued.password), ` (account and client id ${issued.username})`));
  } catch (error) {
    $('panel-error').textContent = `Not issued: ${error.message}`;
  }
}

/** Answers 404 with null: a table may be unregistered, without a profile or a check-in. */
async function getOrNull(path) {
  try {
    return await (await api(path)).json();
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

function failed(section, error) {
  $(section).replaceChildren(element('p', { class: 'error' }, `Could not load: ${error.message}`));
}

async function showRegistry(tableId) {
  try {
    const table = await getOrNull(tablePath(tableId));
    const entry = table?.registration;
    $('panel-title').textContent = entry?.name ? `${entry.name} (${tableId})` : tableId;
    const facts = element('dl', { class: 'facts' });
    REGISTRY_FIELDS.forEach(([field, name]) => facts.append(element('dt', {}, name), element('dd', { 'data-field': field }, entry?.[field] || '–')));
    facts.append(element('dt', {}, 'Firmware'), element('dd', { 'data-field': 'firmware' }, table?.firmware || '–'),
      element('dt', {}, 'Reports itself as'), element('dd', {}, table?.reportedModel || '–'));
    $('panel-registry').replaceChildren(facts);
    if (isOperator()) $('panel-registry').append(registryForm(tableId, entry));
    showLive(table?.live || state.tables.get(tableId));
  } catch (error) {
    failed('panel-registry', error);
  }
}

function registryForm(tableId, entry) {
  const form = element('form', { id: 'registry-form', class: 'inline-form' });
  REGISTRY_FIELDS.forEach(([field, name]) => form.append(element('label', {}, `${name} `,
    element('input', { name: field, value: entry?.[field] || '', maxlength: field === 'notes' ? '2000' : '100' }))));
  form.append(element('label', {}, 'Reason ', element('input', { name: 'reason', maxlength: '500' })),
    element('button', { type: 'submit' }, entry ? 'Save entry' : 'Register'));
  form.onsubmit = event => {
    event.preventDefault();
    const body = Object.fromEntries([...new FormData(form)].filter(([, value]) => value.trim() !== ''));
    change(tableId, api(tablePath(tableId), { method: 'PUT', body: JSON.stringify(body) }), 'The entry is saved.');
  };
  return form;
}

function showLive(live) {
  if (!live) {
    $('panel-live').replaceChildren('Never heard of.');
    return;
  }
  const session = live.inSession && live.sessionElapsedS != null ? `in session for ${clock(live.sessionElapsedS)}` : 'no session';
  $('panel-live').replaceChildren(element('p', {}, `${live.online ? 'Online' : 'Offline'}, `
    + `${live.angleDeg == null ? 'no angle yet' : `${live.angleDeg.toFixed(1)}°`}, ${session}`
    + `${live.lastSeen ? `, last heard ${new Date(live.lastSeen).toLocaleTimeString()}` : ''}.`));
}

async function showProfile(tableId) {
  try {
    const profile = await getOrNull(`${tablePath(tableId)}/profile`);
    const flags = profile?.contraindications?.length ? profile.contraindications.map(label).join(', ') : 'none';
    const limit = profile?.maxAngleDeg == null ? "the fleet's" : `${profile.maxAngleDeg}°${profile.maxAngleUntil
      ? ` until ${new Date(profile.maxAngleUntil).toLocaleDateString()}` : ''}`;
    $('panel-profile').replaceChildren(element('p', {}, `Angle limit: ${limit}. Standing contraindications: ${flags}.`));
  } catch (error) {
    failed('panel-profile', error);
  }
}

async function showCheckIn(tableId) {
  try {
    const current = await getOrNull(`${tablePath(tableId)}/check-in`);
    const section = $('panel-check-in');
    if (current) {
      const checkIn = current.checkIn;
      const prescription = checkIn.prescription
        ? `; prescribed ${checkIn.prescription.minAngleDeg}-${checkIn.prescription.maxAngleDeg}° for ${checkIn.prescription.minutes} min` : '';
      const flags = checkIn.contraindications.length ? checkIn.contraindications.map(label).join(', ') : 'no contraindications';
      section.replaceChildren(element('p', { id: 'check-in-status', 'data-status': current.status },
        `Patient ${checkIn.patientRef}: ${label(current.status)}${current.sessionId ? ` (session ${current.sessionId})` : ''}; ${flags}${prescription}.`));
      if (isOperator() && ['WAITING', 'IN_SESSION'].includes(current.status)) {
        const withdraw = element('button', { type: 'button', id: 'withdraw-check-in' }, 'Withdraw check-in');
        withdraw.onclick = () => change(tableId, api(`${tablePath(tableId)}/check-in`, { method: 'DELETE' }), 'The check-in is withdrawn.');
        section.append(withdraw);
      }
    } else {
      section.replaceChildren(element('p', { id: 'check-in-status', 'data-status': 'NONE' }, 'No patient checked in.'));
    }
    if (isOperator()) section.append(checkInForm(tableId));
  } catch (error) {
    failed('panel-check-in', error);
  }
}

function checkInForm(tableId) {
  const flags = element('fieldset', { class: 'flags' }, element('legend', {}, "The patient's contraindications"),
    ...CONTRAINDICATIONS.map(flag => element('label', {}, element('input', { type: 'checkbox', name: 'contraindications', value: flag }), ` ${label(flag)}`)));
  const number = (name, attributes) => element('input', { name, type: 'number', step: 'any', ...attributes });
  const form = element('form', { id: 'check-in-form', class: 'inline-form' },
    element('label', {}, 'Patient reference ', element('input', { name: 'patientRef', required: '', pattern: '[A-Za-z0-9_-]{1,64}',
      title: '1-64 letters, digits, _ or -: a pseudonymous reference, never a name' })),
    flags,
    element('label', {}, 'Prescribed angle from ', number('minAngleDeg', { min: '0', max: '90' })),
    element('label', {}, 'to ', number('maxAngleDeg', { min: '0', max: '90' })),
    element('label', {}, 'for minutes ', number('minutes', { min: '0.5', max: '60' })),
    element('label', {}, element('input', { type: 'checkbox', name: 'includeRunningSession' }), ' already on the table (the running session counts)'),
    element('button', { type: 'submit' }, 'Check in for the next session'));
  form.onsubmit = event => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { patientRef: data.get('patientRef'), contraindications: data.getAll('contraindications'),
      includeRunningSession: data.get('includeRunningSession') === 'on' };
    if (['minAngleDeg', 'maxAngleDeg', 'minutes'].some(field => data.get(field) !== '')) {
      body.prescription = { minAngleDeg: Number(data.get('minAngleDeg')), maxAngleDeg: Number(data.get('maxAngleDeg')), minutes: Number(data.get('minutes')) };
    }
    change(tableId, api(`${tablePath(tableId)}/check-in`, { method: 'POST', body: JSON.stringify(body) }), 'The patient is checked in.');
  };
  return form;
}

async function showTableAlerts(tableId) {
  try {
    const alerts = await (await api(`/api/alerts?fleetId=${encodeURIComponent(state.fleet)}&tableId=${encodeURIComponent(tableId)}&size=20`)).json();
    $('panel-alerts').replaceChildren(alerts.length === 0 ? 'No alerts.' : element('table', {},
      element('thead', {}, element('tr', {}, ...['Raised', 'Type', 'Severity', 'State', 'Reason'].map(name => element('th', {}, name)))),
      element('tbody', {}, ...alerts.map(alert => element('tr', { 'data-alert-id': alert.id },
        element('td', {}, new Date(alert.raisedAt).toLocaleString()), element('td', {}, alert.type),
        element('td', { class: `sev-${alert.severity}` }, alert.severity), element('td', {}, label(alert.state)),
        element('td', {}, alert.reason || ''))))));
  } catch (error) {
    failed('panel-alerts', error);
  }
}

/** A change made from the panel: its answer (or the problem naming what was wrong) is shown, and the panel read again. */
async function change(tableId, request, done) {
  $('panel-error').textContent = 'Saving...';
  try {
    const response = await request;
    $('panel-error').textContent = response.status === 202 ? `${done} It takes effect within seconds.` : done;
    await Promise.all([showRegistry(tableId), showCheckIn(tableId)]);
    loadTables().catch(error => status(`Could not load the tables: ${error.message}`));
  } catch (error) {
    $('panel-error').textContent = `Not saved: ${error.message}`;
  }
}

$('panel-close').onclick = () => $('table-panel').close();
$('tables').addEventListener('click', event => {
  const card = event.target.closest('.table');
  if (card) openTablePanel(card.dataset.tableId);
});
$('tables').addEventListener('keydown', event => {
  const card = event.target.closest('.table');
  if (card && (event.key === 'Enter' || event.key === ' ')) {
    event.preventDefault();
    openTablePanel(card.dataset.tableId);
  }
});

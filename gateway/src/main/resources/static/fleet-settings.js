'use strict';
// The fleet's settings: what its tables are held to, and for operators a form to change them while the platform
// runs. Durations are shown in minutes and seconds and sent as ISO 8601. Uses the helpers of dashboard.js.

const SETTINGS = [
  ['maxAngleDeg', 'Angle limit (°)', 'deg'], ['maxSession', 'Longest session (min)', 'minutes'], ['steepAngleDeg', 'Steep above (°)', 'deg'],
  ['maxSteepTime', 'Longest steep time (s)', 'seconds'], ['headDownAngleDeg', 'Head-down above (°)', 'deg'],
  ['silenceTimeout', 'Silent for (s)', 'seconds'], ['rapidReturnDegPerS', 'Rapid return (°/s)', 'deg'], ['timeZone', 'Time zone', 'text']];

/** A duration as the API writes it (ISO 8601 such as PT10M, or seconds) in the unit of its field. */
function fromDuration(duration, unit) {
  let seconds;
  if (typeof duration === 'number') {
    seconds = duration;
  } else {
    const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(duration || '');
    if (!match) return '';
    seconds = Number(match[1] || 0) * 3600 + Number(match[2] || 0) * 60 + Number(match[3] || 0);
  }
  return unit === 'minutes' ? String(seconds / 60) : String(seconds);
}

async function loadSettings() {
  const fleet = state.fleet;
  try {
    const view = await (await api(`/api/fleets/${encodeURIComponent(fleet)}/settings`)).json();
    if (fleet !== state.fleet) return;
    const form = $('settings-form');
    form.replaceChildren(...SETTINGS.map(([field, name, unit]) => {
      const own = view.settings[field];
      const effective = view.effective[field];
      const shown = unit === 'minutes' || unit === 'seconds' ? fromDuration(own, unit) : own ?? '';
      const placeholder = unit === 'minutes' || unit === 'seconds' ? fromDuration(effective, unit) : effective ?? '';
      return element('label', {}, `${name} `, element('input', { name: field, value: shown, placeholder: String(placeholder),
        type: unit === 'text' ? 'text' : 'number', step: 'any', ...(isOperator() ? {} : { readonly: '' }) }));
    }));
    if (isOperator()) {
      form.append(element('label', {}, 'Reason ', element('input', { name: 'reason', maxlength: '500' })),
        element('button', { type: 'submit' }, 'Save settings'));
    }
    $('settings-status').textContent = 'Empty fields keep the default, shown greyed.';
  } catch (error) {
    $('settings-status').textContent = `Could not load the settings: ${error.message}`;
  }
}

async function saveSettings(form) {
  const data = new FormData(form);
  const settings = {};
  SETTINGS.forEach(([field, , unit]) => {
    const value = (data.get(field) || '').trim();
    if (value === '') return;
    // in whole seconds: ISO 8601 allows fractions of the smallest unit only (PT1.5M is refused)
    if (unit === 'minutes') settings[field] = `PT${Math.round(Number(value) * 60)}S`;
    else if (unit === 'seconds') settings[field] = `PT${value}S`;
    else settings[field] = unit === 'deg' ? Number(value) : value;
  });
  $('settings-status').textContent = 'Saving...';
  try {
    const response = await api(`/api/fleets/${encodeURIComponent(state.fleet)}/settings`, { method: 'PUT',
      body: JSON.stringify({ settings, reason: data.get('reason') || undefined }) });
    await loadSettings();
    $('settings-status').textContent = response.status === 202 ? 'Saved; in force within seconds.' : 'Saved and in force.';
  } catch (error) {
    $('settings-status').textContent = `Not saved: ${error.message}`;
  }
}

$('settings-form').onsubmit = event => {
  event.preventDefault();
  saveSettings(event.target);
};

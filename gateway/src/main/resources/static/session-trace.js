'use strict';
// A table's recent sessions in its panel, and a session opened as a chart: its angle over time (held until the next
// point), the stretches with the lock open shaded, and the alerts raised during it marked where they were raised.
// Uses the helpers of dashboard.js (state, api, element, svgShape, $).

const analyticsPath = () => `/api/analytics/fleets/${encodeURIComponent(state.fleet)}`;

async function showTableSessions(tableId) {
  $('panel-trace').replaceChildren();
  try {
    const page = await (await api(`${analyticsPath()}/sessions?tableId=${encodeURIComponent(tableId)}&size=10`)).json();
    $('panel-sessions').replaceChildren(page.items.length === 0 ? 'No sessions yet.' : element('table', {},
      element('thead', {}, element('tr', {}, ...['Began', 'Minutes', 'Steepest', 'Ended', ''].map(name => element('th', {}, name)))),
      element('tbody', {}, ...page.items.map(session => {
        const open = element('button', { type: 'button', class: 'open-trace' }, 'Chart');
        open.onclick = () => showTrace(session);
        return element('tr', { 'data-session-id': session.id }, element('td', {}, new Date(session.start).toLocaleString()),
          element('td', {}, (session.durationS / 60).toFixed(1)), element('td', {}, `${session.maxAngleDeg.toFixed(0)}°`),
          element('td', {}, label(session.endedBy)), element('td', {}, open));
      }))));
  } catch (error) {
    failed('panel-sessions', error);
  }
}

async function showTrace(session) {
  const [, tableId, deviceSessionId, startMs] = session.id.split('/');
  const target = $('panel-trace');
  target.replaceChildren('Loading the chart...');
  try {
    const query = `fleetId=${encodeURIComponent(state.fleet)}&tableId=${encodeURIComponent(tableId)}&from=${session.start}`
      + `&to=${new Date(Date.parse(session.end) + 1000).toISOString()}&size=1000`;
    const [trace, alerts] = await Promise.all([
      api(`${analyticsPath()}/sessions/${encodeURIComponent(tableId)}/${encodeURIComponent(deviceSessionId)}/${startMs}/trace`).then(r => r.json()),
      api(`/api/alerts?${query}`).then(r => r.json())]);
    const svg = svgShape('svg', { id: 'trace-chart', 'data-session-id': session.id, role: 'img',
      'aria-label': `Angle of ${tableId} from ${new Date(session.start).toLocaleString()}` });
    target.replaceChildren(svg, element('p', { class: 'muted' },
      `${trace.points.length} points; shaded: lock open; red lines: alerts raised (${alerts.length}).`));
    traceChart(svg, trace.points, alerts);
  } catch (error) {
    failed('panel-trace', error);
  }
}

function traceChart(svg, points, alerts) {
  const width = svg.clientWidth || 600;
  const height = 220;
  const pad = { left: 34, right: 8, bottom: 22, top: 10 };
  const start = Date.parse(points[0].at);
  const span = Math.max(1000, Date.parse(points[points.length - 1].at) - start);
  const x = at => pad.left + (Date.parse(at) - start) / span * (width - pad.left - pad.right);
  const y = angle => height - pad.bottom - Math.max(0, angle) / 90 * (height - pad.bottom - pad.top);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const nodes = [30, 60, 90].map(angle => svgShape('text', { x: 2, y: y(angle) + 3 }, `${angle}°`));
  points.forEach((point, i) => {
    const next = points[i + 1];
    if (next && !point.locked) {
      nodes.push(svgShape('rect', { class: 'lock-open', x: x(point.at), y: pad.top, width: Math.max(1, x(next.at) - x(point.at)),
        height: height - pad.bottom - pad.top, fill: '#f6e3b4' }));
    }
  });
  const steps = points.map((point, i) => `${i === 0 ? 'M' : 'H'}${x(point.at).toFixed(1)} V${y(point.angleDeg).toFixed(1)}`).join(' ');
  nodes.push(svgShape('path', { d: steps, fill: 'none', stroke: '#1d4e89', 'stroke-width': 2 }));
  alerts.forEach(alert => {
    const line = svgShape('line', { class: 'alert-mark', 'data-alert-type': alert.type, x1: x(alert.raisedAt), x2: x(alert.raisedAt),
      y1: pad.top, y2: height - pad.bottom, stroke: '#c0392b', 'stroke-width': 2 });
    line.append(svgShape('title', {}, `${alert.type} (${alert.severity}) at ${new Date(alert.raisedAt).toLocaleTimeString()}`));
    nodes.push(line);
  });
  nodes.push(svgShape('text', { x: pad.left, y: height - 6 }, new Date(start).toLocaleTimeString()),
    svgShape('text', { x: width - pad.right, y: height - 6, 'text-anchor': 'end' }, new Date(start + span).toLocaleTimeString()));
  svg.replaceChildren(...nodes);
}

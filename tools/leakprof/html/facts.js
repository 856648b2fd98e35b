/*
 * facts.js — what each file says of itself (program, build ID, rate, times, libleak's
 * counters, resident memory), the headings and the legend.
 */
/* ---- facts ---- */
const first = profiles[0], lastProfile = profiles[last];
const facts = $('facts');
const fact = (name, value) => {
  if (value === '' || value === undefined) return;
  facts.append(el('dt', {}, name), el('dd', {}, value));
};
const programs = [...new Set(profiles.map((p) => p.program).filter((p) => p))];
const builds = [...new Set(profiles.map((p) => p.buildId).filter((p) => p))];
fact('Program', programs.join(', '));
fact('Build ID', builds.join(', '));
fact('Sample type', data.type + ' (' + data.unit + ')' + (first.types.length > 1 ? '; the files also hold ' + first.types.filter((t) => t !== data.type).join(', ') : ''));
if (first.period) fact('Rate', 'one sample every ' + first.period + ' ' + (first.periodUnit || '') + (first.periodType ? ' of ' + first.periodType : '') + ' on average');
if (profiles.length > 1 && first.time && lastProfile.time)
  fact('Time span', timeText(first.time) + ' \u2192 ' + timeText(lastProfile.time) + ' (' + secondsText(lastProfile.time - first.time) + ', ' + profiles.length + ' snapshots)');
else fact('Time', timeText(first.time) + (first.duration ? ', over ' + secondsText(first.duration) : ''));
const dropped = profiles.reduce((sum, p) => sum + (p.dropped || 0), 0);
if (lastProfile.taken !== undefined)
  fact('Samples', lastProfile.taken + ' taken by libleak, ' + dropped + ' dropped' + (dropped ? ' (tables full: the totals are too low)' : ''));
if (isDiff) fact('Base', data.baseProfile.path + ' (' + format(data.baseProfile.total) + ', ' + timeText(data.baseProfile.time) + ')');

if (profiles.length > 1 && first.resident !== undefined && lastProfile.resident !== undefined) {
  const resident = lastProfile.resident - first.resident, estimate = lastProfile.total - first.total;
  fact('Resident memory', format(first.resident, 'bytes') + ' \u2192 ' + format(lastProfile.resident, 'bytes') +
    ' (' + formatSigned(resident) + '; the in-use estimate: ' + formatSigned(estimate) + ')' +
    (data.unit === 'bytes' && resident >= 1 << 20 && resident > 4 * Math.max(estimate, 0)
      ? ': most of the growth is memory the allocator holds after frees, or outside malloc, not live blocks'
      : ''));
}
const fileRows = document.querySelector('#files tbody');
const withMemory = profiles.some((p) => p.resident !== undefined || p.allocatorInUse !== undefined);
if (withMemory) {
  const header = document.querySelector('#files thead tr');
  header.append(el('th', {}, 'resident'), el('th', {}, "malloc'd"), el('th', {}, 'free in arenas'));
}
const comments = [];
(isDiff ? [data.baseProfile, ...profiles] : profiles).forEach((p, i) => {
  const label = isDiff && i === 0 ? 'base' : String(isDiff ? i : i + 1);
  const row = el('tr');
  [label, baseName(p.path), timeText(p.time), format(p.total), String(p.samples), p.taken === undefined ? '' : String(p.taken),
    p.dropped === undefined ? '' : String(p.dropped), p.period ? p.period + ' ' + p.periodUnit : '',
    ...(withMemory ? [p.resident, p.allocatorInUse, p.allocatorFree].map((v) => (v === undefined ? '' : format(v, 'bytes'))) : [])].forEach((text, k) =>
    row.appendChild(el('td', k === 1 ? { class: 'file', title: p.path } : {}, text)));
  fileRows.appendChild(row);
  if (p.comments.length) comments.push(p.path + ':\n  ' + p.comments.join('\n  '));
});
$('comments').textContent = comments.join('\n');
$('comments-box').hidden = comments.length === 0;

$('heading-type').textContent = '\u2014 ' + data.type;
$('summary').textContent = (programs[0] || profiles[0].path) + ': ' + profiles.length + ' profile' + (profiles.length > 1 ? 's' : '') +
  (isDiff ? ', compared with a base' : '') + (profiles.length > 1 ? ', ' + growth.length + ' growing stack' + (growth.length === 1 ? '' : 's') : '');
$('legend').textContent = isDiff
  ? 'Width: the larger of the base and the new value. Red: grew; blue: shrank; grey: unchanged. Click a frame to zoom in.'
  : 'Each box is a function; its width is its share of ' + data.type + ', its callers are above it. Click a frame to zoom in.';

/* ---- by thread and lifetimes (the last snapshot) ---- */
const share = (part, whole) => (whole > 0 ? (100 * part / whole).toFixed(1) + '%' : '-');
if (data.threads.length) {
  $('threads-section').hidden = false;
  const whole = data.threads.reduce((sum, t) => sum + Math.abs(t[1]), 0);
  const body = document.querySelector('#threads tbody');
  for (const [name, value] of data.threads) {
    const row = el('tr');
    row.append(el('td', { class: 'file' }, name || '(none)'), el('td', {}, format(value)), el('td', {}, share(Math.abs(value), whole)));
    body.append(row);
  }
}
if (data.lifetimes.length) {
  $('lifetimes-section').hidden = false;
  const body = document.querySelector('#lifetimes tbody');
  for (const [site, bytes, blocks, ms, s, live, median] of data.lifetimes) {
    const row = el('tr');
    row.append(el('td', {}, format(bytes, 'bytes')), el('td', {}, String(blocks)), el('td', {}, share(ms, bytes)),
      el('td', {}, share(s, bytes)), el('td', {}, share(live, bytes)), el('td', {}, median), el('td', { class: 'file' }, site));
    body.append(row);
  }
}

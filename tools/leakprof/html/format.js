/*
 * format.js — numbers, times and stacks as text, for the page's scripts (data.js says which).
 */

/* ---- numbers as pprof prints them ---- */
// reports/units.c's units_format, the one rule the page repeats: the largest unit the
// value reaches, two decimals without ".00", "0" for zero. Which units a sample type has
// and their sizes are not repeated here: leakprof writes them into the data (data.scales,
// from units.c's table), so a unit it knows the page knows. A unit without a scale prints
// as a bare number, as pprof prints "count".

// printf's "%.2f": like toFixed, but ties go to the even digit as glibc rounds them.
function fixed2(x) {
  const y = x * 100, floor = Math.floor(y);
  if (y - floor === 0.5 && Number.isFinite(y)) return ((floor % 2 === 0 ? floor : floor + 1) / 100).toFixed(2);
  return x.toFixed(2);
}
function format(value, unitName) {
  unitName = unitName === undefined ? data.unit : unitName;
  if (value < 0) {
    const text = format(-value, unitName);
    return text === '0' ? '0' : '-' + text;
  }
  const scale = data.scales[unitName];
  let v = value, name = '';
  if (scale) {
    v = value * scale.factor;
    let best = null;
    for (const u of scale.units) if ((!best || u[1] >= best[1]) && v / u[1] >= 1) best = u;
    const chosen = best || scale.fallback;
    name = chosen[0];
    v = v / chosen[1];
  }
  let number = fixed2(v);
  if (number.endsWith('.00')) number = number.slice(0, -3);
  return number === '0' || number === '-0' ? '0' : number + name;
}
const formatSigned = (value) => (value > 0 ? '+' : '') + format(value);
const percent = (part, whole) => (whole ? (100 * part / whole).toFixed(2) : '0.00') + '%';

// "leaf:line < caller:line < …", as report_print_stack_line prints it.
function stackLine(stack) {
  if (stack.length === 0) return '<no frames>';
  const shown = [];
  for (let i = stack.length - 1; i >= 0 && shown.length < 8; i--) {
    const f = stack[i];
    shown.push(frameName(f) + (frameLine(f) > 0 ? ':' + frameLine(f) : ''));
  }
  let text = shown.join(' < ');
  if (stack.length > 8) text += ' < ... (' + (stack.length - 8) + ' more)';
  return text;
}

const baseName = (path) => path.replace(/^.*\//, '');
const timeText = (nanos) => (nanos ? new Date(nanos / 1e6).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '');
// A duration as a person reads it: 12ms, 3.4s, 95s, 12.5min, 3.2h.
function secondsText(nanos) {
  const s = nanos / 1e9;
  if (s === 0) return '0s';
  if (s < 1) return (s * 1000).toFixed(s < 0.01 ? 1 : 0) + 'ms';
  if (s < 10) return s.toFixed(1) + 's';
  if (s < 600) return s.toFixed(0) + 's';
  if (s < 36000) return (s / 60).toFixed(1) + 'min';
  return (s / 3600).toFixed(1) + 'h';
}
function el(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const key in attributes || {}) node.setAttribute(key, attributes[key]);
  if (text !== undefined) node.textContent = text;
  return node;
}

/*
 * series.js — several snapshots of one process: the chooser, the stack chosen in the table or
 * the timeline, the growth ranking and the timeline.
 */
/* ---- snapshots ---- */
const snapshot = $('snapshot');
profiles.forEach((p, i) => {
  const label = '#' + (i + 1) + ' ' + baseName(p.path) + (p.time && profiles[0].time ? ' (+' + secondsText(p.time - profiles[0].time) + ')' : '');
  snapshot.appendChild(el('option', { value: i }, label));
});
snapshot.value = last;
$('snapshot-label').hidden = profiles.length < 2;
function showSnapshot(column) {
  snapshot.value = column;
  state.tree = buildTree(column);
  state.zoom = null;
  state.history = [];
  const p = profiles[column];
  $('flame-title').textContent = isDiff
    ? 'Difference: ' + baseName(p.path) + ' minus ' + baseName(data.baseProfile.path) + ' (' + formatSigned(state.tree.root.b - state.tree.root.a) + ')'
    : 'Flame graph of ' + data.type + ': ' + baseName(p.path) + ' (' + format(state.tree.root.b) + ')';
  runSearch();
}
snapshot.addEventListener('change', () => {
  state.chosenStack = -1;
  markChosen();
  showSnapshot(+snapshot.value);
});

/* ---- choosing a stack: in the last snapshot's flame graph, zoomed to its leaf ---- */
function markChosen() {
  for (const row of document.querySelectorAll('#growth tbody tr')) row.classList.toggle('chosen', +row.dataset.stack === state.chosenStack);
  for (const line of document.querySelectorAll('#timeline .stack-line')) line.classList.toggle('chosen', +line.dataset.stack === state.chosenStack);
}
function chooseStack(index) {
  state.chosenStack = index;
  markChosen();
  showSnapshot(last);
  const leaf = state.tree.leaves[index];
  if (leaf) zoomTo(leaf);
  $('flame-section').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

const palette = ['#d93025', '#1a73e8', '#188038', '#e37400', '#9334e6'];
const lineColour = new Map();
growth.slice(0, palette.length).forEach((g, i) => lineColour.set(g.stack, palette[i]));
if (profiles.length >= 2) {
  $('growth-section').hidden = false;
  const body = document.querySelector('#growth tbody');
  const shown = growth.slice(0, 50);
  shown.forEach((g, rank) => {
    const row = el('tr', { 'data-stack': g.stack });
    const cells = [String(rank + 1), formatSigned(g.growth), g.steps + '/' + last, format(data.series[0][g.stack]), format(data.series[last][g.stack])];
    cells.forEach((text, i) => {
      const cell = el('td', {}, text);
      if (i === 0 && lineColour.has(g.stack)) cell.style.boxShadow = 'inset 4px 0 0 ' + lineColour.get(g.stack);
      row.appendChild(cell);
    });
    row.appendChild(el('td', { class: 'stack' }, stackLine(stacks[g.stack].slice())));
    row.addEventListener('click', () => chooseStack(g.stack));
    body.appendChild(row);
  });
  $('growth-none').hidden = growth.length > 0;
  $('growth').hidden = growth.length === 0;
  if (growth.length > shown.length) {
    $('growth-more').hidden = false;
    $('growth-more').textContent = growth.length - shown.length + ' more growing stacks (leakprof growth -n 0 lists them all).';
  }
}

/* ---- the timeline ---- */
function drawTimeline() {
  const times = profiles.map((p) => p.time);
  const byTime = times.every((t, i) => t > 0 && (i === 0 || t > times[i - 1]));
  const xs = profiles.map((p, i) => (byTime ? (p.time - times[0]) / 1e9 : i));
  const totals = profiles.map((p) => p.total);
  const lines = growth.slice(0, palette.length).map((g) => ({ stack: g.stack, values: profiles.map((p, i) => data.series[i][g.stack]) }));
  const W = 900, H = 240, left = 70, right = 20, top = 10, bottom = 34;
  // The process's own view where the files carry it (libleak's do): resident memory and
  // what glibc's malloc holds, beside the estimate, in bytes. Only when the estimate is in
  // bytes too, or the scale would mix units.
  const memory = [];
  if (data.unit === 'bytes') {
    if (profiles.every((p) => p.resident !== undefined))
      memory.push({ name: 'resident', colour: '#80868b', values: profiles.map((p) => p.resident) });
    if (profiles.every((p) => p.allocatorInUse !== undefined))
      memory.push({ name: "malloc'd (glibc)", colour: '#12b5cb', values: profiles.map((p) => p.allocatorInUse) });
  }
  const maxY = Math.max(4, ...totals, ...lines.flatMap((l) => l.values), ...memory.flatMap((m) => m.values));
  const maxX = Math.max(xs[xs.length - 1], 1e-9);
  const X = (x) => left + (W - left - right) * x / maxX;
  const Y = (y) => top + (H - top - bottom) * (1 - y / maxY);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  svg.setAttribute('width', W);
  svg.setAttribute('id', 'timeline-svg');
  const add = (tag, attributes, text) => {
    const node = document.createElementNS(ns, tag);
    for (const key in attributes) node.setAttribute(key, attributes[key]);
    if (text !== undefined) node.textContent = text;
    svg.appendChild(node);
    return node;
  };
  for (let k = 0; k <= 4; k++) {
    const y = Y(maxY * k / 4);
    add('line', { class: 'grid', x1: left, x2: W - right, y1: y, y2: y });
    add('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, format(Math.round(maxY * k / 4)));
  }
  add('line', { class: 'axis', x1: left, x2: W - right, y1: Y(0), y2: Y(0) });
  add('line', { class: 'axis', x1: left, x2: left, y1: top, y2: Y(0) });
  // Labels under the points, leaving out those that would overlap the one before (and
  // always the last).
  let labelled = -Infinity;
  xs.forEach((x, i) => {
    const at = X(x);
    if (at - labelled < 56 && i !== xs.length - 1) return;
    if (i === xs.length - 1 && at - labelled < 56 && labelled > X(xs[0])) svg.lastChild.remove();
    add('text', { x: at, y: H - bottom + 16, 'text-anchor': 'middle' }, byTime ? '+' + secondsText(x * 1e9) : '#' + (i + 1));
    labelled = at;
  });
  add('text', { x: (left + W - right) / 2, y: H - 4, 'text-anchor': 'middle', fill: '#5f6368' },
    byTime ? 'time since the first snapshot' : 'snapshot (the files carry no times)');
  const path = (values) => values.map((v, i) => (i ? 'L' : 'M') + X(xs[i]).toFixed(1) + ' ' + Y(v).toFixed(1)).join(' ');
  // The total first and dashed: a leak that is the whole total still shows its own line.
  memory.forEach((m) => add('path', { class: 'memory', d: path(m.values), stroke: m.colour }));
  add('path', { class: 'total', d: path(totals), id: 'timeline-total' });
  lines.forEach((l) => {
    const line = add('path', { class: 'stack-line', d: path(l.values), stroke: lineColour.get(l.stack), 'data-stack': l.stack });
    line.appendChild(document.createElementNS(ns, 'title')).textContent = stackLine(stacks[l.stack]);
    line.addEventListener('click', () => chooseStack(l.stack));
  });
  totals.forEach((t, i) => {
    const dot = add('circle', { cx: X(xs[i]), cy: Y(t), r: 4, fill: '#1d1d1f' });
    dot.appendChild(document.createElementNS(ns, 'title')).textContent = profiles[i].path + ': ' + format(t) + ' in use';
    dot.addEventListener('click', () => {
      state.chosenStack = -1;
      markChosen();
      showSnapshot(i);
    });
  });
  $('timeline').appendChild(svg);
  const legend = $('timeline-legend');
  const item = (colour, text, onClick) => {
    const li = el('li');
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = colour;
    li.append(swatch, text);
    if (onClick) li.addEventListener('click', onClick);
    legend.appendChild(li);
  };
  item('#1d1d1f', 'total ' + data.type + ': ' + totals.map((t) => format(t)).join(' \u2192 '));
  memory.forEach((m) => item(m.colour, m.name + ': ' + m.values.map((v) => format(v)).join(' \u2192 ')));
  lines.forEach((l) => item(lineColour.get(l.stack), stackLine(stacks[l.stack]).split(' < ').slice(0, 2).join(' < '), () => chooseStack(l.stack)));
}
if (profiles.length >= 2) {
  $('timeline-section').hidden = false;
  drawTimeline();
}

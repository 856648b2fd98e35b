/*
 * The script of `leakprof html`'s page (report.html), written by hand and embedded by the
 * build. It reads the JSON block that leakprof wrote (see tools/leakprof/commands/cmd_html.c for its
 * layout) and draws, with plain DOM and SVG, no library:
 *   - a flame graph (icicle: callers above callees) of one snapshot, or of the difference
 *     from a base; hover, click to zoom, Back, search;
 *   - for a series, a timeline of the total and of the top growing stacks, and the ranking
 *     of `leakprof growth`, whose rows lead to the stack in the flame graph;
 *   - the facts of each file.
 * Frames are drawn as <div>s (not on a canvas) so that a person can select their text and a
 * test can read what was drawn from the DOM.
 */
'use strict';
(function () {
  const data = JSON.parse(document.getElementById('leakprof-data').textContent);
  const strings = data.strings;
  const profiles = data.profiles;
  const last = profiles.length - 1;
  const isDiff = data.base !== null;
  const $ = (id) => document.getElementById(id);

  /* ---- frames and stacks, as leakprof wrote them ---- */
  const frameName = (f) => strings[data.frames[3 * f]];
  const frameFile = (f) => strings[data.frames[3 * f + 1]];
  const frameLine = (f) => data.frames[3 * f + 2];

  // Each stack is [shared, count, frames...]: shared root frames with the previous one.
  const stacks = [];
  for (let i = 0, previous = []; i < data.stacks.length;) {
    const shared = data.stacks[i++], count = data.stacks[i++];
    const stack = previous.slice(0, shared);
    for (let k = 0; k < count; k++) stack.push(data.stacks[i++]);
    stacks.push(stack);
    previous = stack;
  }

  /* ---- numbers as pprof prints them (tools/leakprof/reports/units.c) ---- */
  const unitTypes = [
    { units: [['B', ['b', 'byte'], 1], ['kB', ['kb', 'kbyte', 'kilobyte'], 1024], ['MB', ['mb', 'mbyte', 'megabyte'], 1048576],
      ['GB', ['gb', 'gbyte', 'gigabyte'], 1073741824], ['TB', ['tb', 'tbyte', 'terabyte'], 1099511627776],
      ['PB', ['pb', 'pbyte', 'petabyte'], 1125899906842624]], fallback: ['B', 1] },
    { units: [['ns', ['ns', 'nanosecond'], 1], ['us', ['\u03bcs', 'us', 'microsecond'], 1e3], ['ms', ['ms', 'millisecond'], 1e6],
      ['s', ['s', 'sec', 'second'], 1e9], ['hrs', ['hour', 'hr'], 3600e9]], fallback: ['s', 1e9] },
  ];
  function sniffUnit(name) {
    let lower = String(name).toLowerCase();
    if (lower.length > 2 && lower.endsWith('s')) lower = lower.slice(0, -1);
    for (const type of unitTypes)
      for (const unit of type.units)
        if (unit[1].includes(lower)) return { type, factor: unit[2] };
    return null;
  }
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
    const unit = sniffUnit(unitName);
    let v = value, name = ''; // units pprof does not know print as bare numbers
    if (unit) {
      v = value * unit.factor;
      let best = null;
      for (const u of unit.type.units) if ((!best || u[2] >= best[2]) && v / u[2] >= 1) best = u;
      const chosen = best || unit.type.fallback;
      name = chosen[0];
      v = v / (best ? best[2] : unit.type.fallback[1]);
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

  /* ---- the flame graph ---- */
  // One node per distinct path of function names. w: drawn width (for a difference, the larger
  // of the base's and the new value, stack by stack); a: base value, b: value.
  function newNode(name, parent) {
    return { name, parent, depth: parent ? parent.depth + 1 : 0, w: 0, a: 0, b: 0, children: new Map(), where: new Map(), sorted: null };
  }
  function buildTree(column) {
    const root = newNode('all', null);
    const values = data.series[column];
    const leaves = new Array(stacks.length);
    for (let i = 0; i < stacks.length; i++) {
      const b = values[i], a = isDiff ? data.base[i] : 0;
      const w = isDiff ? Math.max(Math.abs(a), Math.abs(b)) : Math.abs(b);
      if (w === 0) continue;
      let node = root;
      node.w += w; node.a += a; node.b += b;
      for (const f of stacks[i]) {
        const name = frameName(f);
        let child = node.children.get(name);
        if (!child) node.children.set(name, (child = newNode(name, node)));
        child.w += w; child.a += a; child.b += b;
        const file = frameFile(f);
        if (file) {
          const where = file + (frameLine(f) > 0 ? ':' + frameLine(f) : '');
          child.where.set(where, (child.where.get(where) || 0) + w);
        }
        node = child;
      }
      leaves[i] = node;
    }
    return { root, leaves, column };
  }
  const sortedChildren = (node) =>
    node.sorted || (node.sorted = [...node.children.values()].sort((x, y) => y.w - x.w || (x.name < y.name ? -1 : 1)));

  function hue(name) {
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return h;
  }
  function colour(node) {
    if (isDiff) {
      const ratio = node.w ? (node.b - node.a) / node.w : 0;
      if (ratio > 0) return 'hsl(0, ' + Math.round(40 + 50 * ratio) + '%, ' + Math.round(88 - 30 * ratio) + '%)';
      if (ratio < 0) return 'hsl(215, ' + Math.round(40 - 50 * ratio) + '%, ' + Math.round(88 + 30 * ratio) + '%)';
      return 'hsl(0, 0%, 85%)';
    }
    const h = hue(node.name);
    return 'hsl(' + (h % 50 + 5) + ', ' + (70 + (h >> 8) % 25) + '%, ' + (58 + (h >> 16) % 18) + '%)';
  }

  const state = { tree: null, zoom: null, history: [], chosenStack: -1, search: null, drawn: [] };
  const flame = $('flame'), tooltip = $('tooltip');
  const ROW = 17;

  function draw() {
    const tree = state.tree, zoom = state.zoom || tree.root;
    const width = Math.max(flame.clientWidth, 300);
    const chosen = new Set();
    if (state.chosenStack >= 0) for (let n = tree.leaves[state.chosenStack]; n; n = n.parent) chosen.add(n);
    const fragment = document.createDocumentFragment();
    const drawn = [];
    let deepest = 0;
    const place = (node, x, w, ancestor) => {
      const div = el('div', { class: 'frame' + (ancestor ? ' ancestor' : ''), 'data-index': drawn.length, 'data-name': node.name });
      div.style.left = x + 'px';
      div.style.width = Math.max(w, 1) + 'px';
      div.style.top = node.depth * ROW + 'px';
      div.style.background = colour(node);
      if (w > 28) div.textContent = node.name;
      if (state.search && node.depth > 0 && state.search.test(node.name)) div.classList.add('match');
      if (chosen.size) div.classList.add(chosen.has(node) ? 'chosen' : 'faded');
      drawn.push(node);
      fragment.appendChild(div);
      deepest = Math.max(deepest, node.depth);
    };
    for (let n = zoom.parent; n; n = n.parent) place(n, 0, width, true);
    const scale = zoom.w ? width / zoom.w : 0;
    const walk = (node, x) => {
      place(node, x, node.w * scale, false);
      let childX = x;
      for (const child of sortedChildren(node)) {
        const w = child.w * scale;
        if (w >= 0.5) walk(child, childX);
        childX += w;
      }
    };
    if (tree.root.w === 0) {
      // Nothing to draw: say so rather than leave an empty box.
      flame.replaceChildren(el('p', { class: 'hint empty' }, 'Nothing in this ' + (isDiff ? 'difference' : 'snapshot') + ': every stack\'s ' + data.type + ' is 0.'));
      flame.style.height = '';
      state.drawn = [];
      $('back').disabled = true;
      return;
    }
    walk(zoom, 0);
    flame.replaceChildren(fragment);
    flame.style.height = (deepest + 1) * ROW + 2 + 'px';
    state.drawn = drawn;
    $('back').disabled = state.history.length === 0;
  }

  function zoomTo(node) {
    if (node === (state.zoom || state.tree.root)) return;
    state.history.push(state.zoom);
    state.zoom = node;
    draw();
  }
  function back() {
    if (!state.history.length) return;
    state.zoom = state.history.pop();
    draw();
  }

  function showTooltip(node, event) {
    const total = state.tree.root;
    tooltip.replaceChildren();
    tooltip.appendChild(el('div', { class: 'name' }, node.name));
    const wheres = [...node.where.entries()].sort((x, y) => y[1] - x[1]).map((e) => e[0]);
    if (wheres.length)
      tooltip.appendChild(el('div', { class: 'where' }, wheres.slice(0, 4).join(', ') + (wheres.length > 4 ? ', … (' + wheres.length + ' lines)' : '')));
    if (isDiff) {
      tooltip.appendChild(el('div', {}, 'base ' + format(node.a) + ' \u2192 ' + format(node.b) + ' (' + formatSigned(node.b - node.a) + ')'));
      tooltip.appendChild(el('div', {}, 'width: ' + percent(node.w, total.w) + ' of the larger values'));
    } else {
      tooltip.appendChild(el('div', {}, format(node.b) + ' \u2014 ' + percent(node.w, total.w) + ' of ' + format(total.b) + ' ' + data.type));
      const zoom = state.zoom || total;
      if (zoom !== total && zoom.w) tooltip.appendChild(el('div', {}, percent(node.w, zoom.w) + ' of the zoomed frame'));
    }
    tooltip.hidden = false;
    const x = Math.min(event.clientX + 14, window.innerWidth - tooltip.offsetWidth - 8);
    const y = event.clientY + 18 + tooltip.offsetHeight > window.innerHeight ? event.clientY - tooltip.offsetHeight - 10 : event.clientY + 18;
    tooltip.style.left = Math.max(x, 0) + 'px';
    tooltip.style.top = Math.max(y, 0) + 'px';
  }
  const nodeOf = (event) => {
    const div = event.target.closest('.frame');
    return div ? state.drawn[+div.dataset.index] : null;
  };
  flame.addEventListener('mousemove', (event) => {
    const node = nodeOf(event);
    if (node) showTooltip(node, event);
    else tooltip.hidden = true;
  });
  flame.addEventListener('mouseleave', () => (tooltip.hidden = true));
  flame.addEventListener('click', (event) => {
    const node = nodeOf(event);
    if (node) zoomTo(node);
  });
  $('back').addEventListener('click', back);
  $('reset').addEventListener('click', () => zoomTo(state.tree.root));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && document.activeElement !== $('search')) back();
  });

  /* ---- search: highlight matching frames and sum what their stacks hold ---- */
  function runSearch() {
    const text = $('search').value;
    state.search = null;
    $('search-result').textContent = '';
    if (text) {
      try {
        state.search = new RegExp(text, 'i');
      } catch (error) {
        state.search = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
      }
      const values = data.series[state.tree.column];
      // Each frame tested once; then each stack counted once, however many frames match.
      const matches = new Uint8Array(data.frames.length / 3);
      const names = new Set();
      for (let f = 0; f < matches.length; f++)
        if (state.search.test(frameName(f))) { matches[f] = 1; names.add(frameName(f)); }
      let sum = 0, total = 0;
      for (let i = 0; i < stacks.length; i++) {
        const w = isDiff ? Math.max(Math.abs(values[i]), Math.abs(data.base[i])) : Math.abs(values[i]);
        total += w;
        if (w && stacks[i].some((f) => matches[f])) sum += w;
      }
      $('search-result').textContent = names.size
        ? 'matched ' + names.size + ' function' + (names.size > 1 ? 's' : '') + ': ' + format(sum) + ', ' + percent(sum, total) + ' of the total'
        : 'no match';
    }
    draw();
  }
  $('search').addEventListener('input', runSearch);

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

  /* ---- the growth ranking ---- */
  const growth = [];
  for (let i = 0; i < data.growth.length; i += 3) growth.push({ stack: data.growth[i], growth: data.growth[i + 1], steps: data.growth[i + 2] });
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

  showSnapshot(last);
  window.addEventListener('resize', draw);
  // For tests and for people at the console: what the page holds.
  window.leakprofReport = { data, stacks, state, format, chooseStack, showSnapshot };
})();

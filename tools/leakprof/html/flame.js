/*
 * flame.js — the flame graph: one node per distinct path of function names, drawn as <div>s;
 * hover, click to zoom, Back, and the search box.
 */
// One node per distinct path of function names. w: drawn width (for a difference, the larger
// of the base's and the new value, stack by stack); a: base value, b: value.
function newNode(name, parent) {
  return { name, parent, depth: parent ? parent.depth + 1 : 0, w: 0, a: 0, b: 0, children: new Map(), where: new Map(), frames: new Set(), sorted: null };
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
      child.frames.add(f);
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

// matches: per frame id, 1 when the search matches it (null: no search).
const state = { tree: null, zoom: null, history: [], chosenStack: -1, matches: null, drawn: [] };
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
    if (state.matches && node.depth > 0 && [...node.frames].some((f) => state.matches[f])) div.classList.add('match');
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
// A frame matches as it does for --focus and --ignore (tools/leakprof/model/pattern.h):
// the regular expression is found in its function name or its source file, case
// sensitive, as pprof's regexes are. Text that is no regular expression is searched as is.
function runSearch() {
  const text = $('search').value;
  let search = null;
  state.matches = null;
  $('search-result').textContent = '';
  if (text) {
    try {
      search = new RegExp(text);
    } catch (error) {
      search = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    }
    const values = data.series[state.tree.column];
    // Each frame tested once; then each stack counted once, however many frames match.
    const matches = new Uint8Array(data.frames.length / 3);
    const names = new Set();
    for (let f = 0; f < matches.length; f++)
      if (search.test(frameName(f)) || (frameFile(f) && search.test(frameFile(f)))) { matches[f] = 1; names.add(frameName(f)); }
    state.matches = matches;
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

/*
 * data.js — the first of the scripts of `leakprof html`'s page (report.html), written by hand;
 * the build joins them, in the order tools/leakprof/build.mk lists, into the page's one
 * script, inside one function (nothing they declare is a global of the page):
 *   data.js     the JSON block leakprof wrote (its layout: tools/leakprof/commands/cmd_html.c);
 *   format.js   numbers, times and stacks as text;
 *   flame.js    the flame graph (icicle: callers above callees): hover, zoom, Back, search;
 *   series.js   for a series: the snapshot chooser, the growth ranking, the timeline;
 *   facts.js    the facts of each file, the headings;
 *   start.js    draws the last snapshot.
 * They draw with plain DOM and SVG, no library. Frames are <div>s (not a canvas) so that a
 * person can select their text and a test can read what was drawn from the DOM.
 */
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

// The ranking of `leakprof growth` (reports/growth.c): [stack, growth, steps] triples.
const growth = [];
for (let i = 0; i < data.growth.length; i += 3) growth.push({ stack: data.growth[i], growth: data.growth[i + 1], steps: data.growth[i + 2] });

// tests/browser/check_report.js — drives Debian's chromium (headless, through playwright-core,
// no browser download) over a report written by `leakprof html`, loaded from disk, and checks
// what it drew. Used by tests/cases/html_browser.sh.
//
//   node check_report.js CHECKS.json
//
// CHECKS.json: an array of reports to load, one page each in one browser, each {
//   "report": "leakprof.html",        the file to load (file://)
//   "screenshot": "out.png",           where to save a screenshot of the page (optional)
//   "names": ["remember_request"],     function names that must be drawn as frames
//   "zoom": "remember_request",        a frame to click: it must then fill the width, and Back undo it
//   "search": "remember",              typed into the search box: frames must be highlighted
//   "searches": {"x\\.go": true},        more text for the search box, each with whether it must
//                                      highlight frames (true) or find nothing (false): it
//                                      matches function names or source files, case-sensitive
//   "snapshots": 4,                    a timeline with this many points must be there
//   "growthFile": "growth.txt",       the output of `leakprof growth -n 0`: the table's rows
//                                      must show the same cells (up to its 50 rows)
//   "diff": true,                      the page shows a difference: red and blue frames
//   "undefinedGlobals": ["z"],         globals a hostile function name would define if it ran
//   "memory": "allocator holds",       the timeline draws resident memory; the facts say this
//   "stackLines": 0                    growing stacks the timeline must draw at least (default 1)
// }
// Prints one line per check; exits 1 on the first failure, 0 when all passed.
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');
const { chromium } = require('playwright-core');

const [checksPath] = process.argv.slice(2);
const reports = JSON.parse(fs.readFileSync(checksPath, 'utf8'));

// The suspects of `leakprof growth`'s text: growth, steps, first, last, stack.
function growthRows(file) {
  const rows = [];
  let inTable = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*growth\s+steps\s+first\s+last/.test(line)) inTable = true;
    else if (inTable) {
      const m = line.match(/^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)  (.*)$/);
      if (m) rows.push(m.slice(1));
    }
  }
  return rows;
}

function fail(message) {
  console.error('FAIL: ' + message);
  process.exitCode = 1;
  throw new Error(message);
}
function ok(message) {
  console.log('ok: ' + message);
}

(async () => {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakprof-chromium-'));
  const browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    for (const checks of reports) {
      console.log('== ' + checks.report);
      await checkReport(await browser.newPage(), checks);
    }
  } finally {
    await browser.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
})().catch((error) => {
  if (!process.exitCode) console.error('FAIL: ' + (error && error.stack ? error.stack : error));
  process.exitCode = 1;
});

async function checkReport(page, checks) {
  const reportPath = checks.report;
  if (checks.growthFile) checks.growth = growthRows(checks.growthFile).slice(0, 50);
  {
    const errors = [], foreign = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith('file:') && !url.startsWith('data:') && !url.startsWith('about:')) foreign.push(url);
    });
    await page.goto('file://' + path.resolve(reportPath), { waitUntil: 'load' });
    try {
      await page.waitForSelector('#flame .frame, #flame p.empty', { timeout: 10000 });
    } catch (error) {
      fail('no flame graph (nor its empty message) drawn within 10 s; script errors: ' + (errors.join('; ') || 'none'));
    }
    if (errors.length) fail('script errors: ' + errors.join('; '));
    if (foreign.length) fail('the page asked for something not in the file: ' + foreign.join(', '));
    ok('loaded from disk, no script error, no request outside the file');
    for (const name of checks.undefinedGlobals || []) {
      if (await page.evaluate((name) => name in window, name)) fail('global "' + name + '" is defined: data from the profile ran as script');
      ok('no global ' + name + ': names from the profile stayed data');
    }

    const drawn = await page.$$eval('#flame .frame', (frames) => frames.map((f) => ({ name: f.dataset.name, text: f.textContent })));
    for (const name of checks.names || []) {
      if (!drawn.some((f) => f.name === name && f.text === name)) fail('frame "' + name + '" was not drawn with its name; drawn: ' + [...new Set(drawn.map((f) => f.text).filter((t) => t))].slice(0, 30).join(', '));
      ok('drew ' + name);
    }

    if (checks.snapshots) {
      const points = await page.$$eval('#timeline svg circle', (c) => c.length);
      const total = await page.$$eval('#timeline svg path.total', (p) => p.length);
      const lines = await page.$$eval('#timeline svg path.stack-line', (p) => p.length);
      const visible = await page.isVisible('#timeline-section');
      if (!visible || total !== 1 || points !== checks.snapshots || lines < (checks.stackLines === undefined ? 1 : checks.stackLines))
        fail('timeline: visible ' + visible + ', total lines ' + total + ', points ' + points + ' (want ' + checks.snapshots + '), stack lines ' + lines);
      ok('timeline of ' + points + ' snapshots with ' + lines + ' growing stack(s)');
    }

    if (checks.memory) {
      const lines = await page.$$eval('#timeline svg path.memory', (p) => p.length);
      const facts = await page.textContent('#facts');
      if (lines < 1 || !facts.includes(checks.memory)) fail('memory: ' + lines + ' resident/malloc lines in the timeline; facts: ' + facts);
      ok(lines + ' resident/malloc line(s) in the timeline; the facts say "' + checks.memory + '"');
    }

    if (checks.growth) {
      const rows = await page.$$eval('#growth tbody tr', (rows) => rows.map((r) => [...r.cells].slice(1).map((c) => c.textContent)));
      if (rows.length !== checks.growth.length) fail('growth table: ' + rows.length + ' rows, leakprof growth has ' + checks.growth.length);
      checks.growth.forEach((want, i) => {
        const got = rows[i] || [];
        if (JSON.stringify(got) !== JSON.stringify(want)) fail('growth row ' + (i + 1) + ': want ' + JSON.stringify(want) + ', got ' + JSON.stringify(got));
      });
      ok('growth table equals leakprof growth (' + checks.growth.length + ' rows)');
    }

    if (checks.diff) {
      const colours = await page.$$eval('#flame .frame', (frames) => frames.map((f) => getComputedStyle(f).backgroundColor));
      const rgb = colours.map((c) => c.match(/\d+/g).map(Number));
      const red = rgb.filter(([r, g, b]) => r > b + 40).length, blue = rgb.filter(([r, g, b]) => b > r + 40).length;
      const title = await page.textContent('#flame-title');
      if (!title.startsWith('Difference') || red === 0) fail('difference: title "' + title + '", ' + red + ' red frames, ' + blue + ' blue');
      ok('difference drawn: ' + red + ' red (grew), ' + blue + ' blue (shrank) frames');
    }

    if (checks.screenshot) {
      await page.screenshot({ path: checks.screenshot, fullPage: true });
      ok('screenshot ' + checks.screenshot);
    }
    if (checks.search) {
      await page.fill('#search', checks.search);
      const matched = await page.$$eval('#flame .frame.match', (f) => f.length);
      const result = await page.textContent('#search-result');
      if (matched === 0 || !/%/.test(result)) fail('search "' + checks.search + '": ' + matched + ' highlighted, "' + result + '"');
      ok('search "' + checks.search + '": ' + matched + ' frame(s) highlighted, ' + result);
      await page.fill('#search', '');
    }

    for (const [text, wanted] of Object.entries(checks.searches || {})) {
      await page.fill('#search', text);
      const matched = await page.$$eval('#flame .frame.match', (f) => f.length);
      const result = await page.textContent('#search-result');
      if ((matched > 0) !== wanted || (result === 'no match') === wanted)
        fail('search "' + text + '": ' + matched + ' highlighted, "' + result + '"; want ' + (wanted ? 'matches' : 'none'));
      ok('search "' + text + '": ' + matched + ' frame(s) highlighted, ' + result);
      await page.fill('#search', '');
    }

    if (checks.zoom) {
      const width = () => page.$eval('#flame', (f) => f.clientWidth);
      const frameWidth = (name) => page.$$eval('#flame .frame', (frames, name) =>
        Math.max(0, ...frames.filter((f) => f.dataset.name === name && !f.classList.contains('ancestor')).map((f) => f.getBoundingClientRect().width)), name);
      const full = await width();
      const before = await frameWidth(checks.zoom);
      if (!(before > 0)) fail('no frame "' + checks.zoom + '" to click');
      await page.hover('#flame .frame[data-name="' + checks.zoom + '"]');
      const tip = await page.textContent('#tooltip');
      if (!(await page.isVisible('#tooltip')) || !tip.includes(checks.zoom) || !/%/.test(tip)) fail('hover: tooltip "' + tip + '"');
      ok('hover shows "' + tip.replace(/\s+/g, ' ').slice(0, 120) + '"');
      if (before > full - 2) fail('"' + checks.zoom + '" already fills the width (' + before + 'px): choose a narrower frame to test zooming');
      await page.click('#flame .frame[data-name="' + checks.zoom + '"]');
      const after = await frameWidth(checks.zoom);
      const backEnabled = await page.isEnabled('#back');
      if (Math.abs(after - full) > 2 || !backEnabled) fail('click on ' + checks.zoom + ': width ' + before + ' -> ' + after + ' (graph ' + full + '), Back enabled ' + backEnabled);
      ok('click zooms ' + checks.zoom + ' from ' + before.toFixed(1) + 'px to ' + after.toFixed(1) + 'px');
      await page.click('#back');
      const restored = await frameWidth(checks.zoom);
      if (Math.abs(restored - before) > 1) fail('Back: width ' + restored + ', want ' + before);
      ok('Back restores ' + restored.toFixed(1) + 'px');
    }

    if (checks.growth && checks.growth.length) {
      await page.click('#growth tbody tr');
      const chosen = await page.$$eval('#flame .frame.chosen', (f) => f.map((x) => x.dataset.name));
      const leaf = checks.growth[0][4].split(' < ')[0].replace(/:\d+$/, '');
      if (!chosen.includes(leaf)) fail('choosing the first suspect: chosen frames ' + chosen.join(', ') + ', want ' + leaf);
      ok('choosing the first suspect shows ' + leaf + ' in the flame graph (' + chosen.length + ' frames on its path)');
      if (checks.snapshots) {
        // The same stack chosen from the timeline: its line, then a snapshot's point.
        await page.click('#reset');
        await page.selectOption('#snapshot', '0');
        await page.dispatchEvent('#timeline svg path.stack-line', 'click');
        const fromLine = await page.$$eval('#flame .frame.chosen', (f) => f.map((x) => x.dataset.name));
        const shown = await page.inputValue('#snapshot');
        if (!fromLine.includes(leaf) || shown !== String(checks.snapshots - 1))
          fail('choosing the top stack in the timeline: chosen ' + fromLine.join(', ') + ', snapshot ' + shown);
        ok('choosing its line in the timeline shows ' + leaf + ' in the last snapshot');
        await page.dispatchEvent('#timeline svg circle', 'click');
        const title = await page.textContent('#flame-title');
        if ((await page.inputValue('#snapshot')) !== '0') fail('clicking the first point did not show the first snapshot: ' + title);
        ok('clicking the first point shows "' + title + '"');
      }
      await page.click('#reset');
      await page.evaluate(() => window.scrollTo(0, 0));
    }

  }
  await page.close();
}

/*
 * start.js — the last of the page's scripts: draws the last snapshot.
 */
showSnapshot(last);
window.addEventListener('resize', draw);
// For tests and for people at the console: what the page holds.
window.leakprofReport = { data, stacks, state, format, chooseStack, showSnapshot };

import { readFileSync } from 'node:fs';

/** Everything the console's pages load, served by certledger itself: no CDN, works offline. */
export const HTMX_JS = readFileSync(require.resolve('htmx.org/dist/htmx.min.js'));

export const CONSOLE_CSS = `
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #fff; --accent: #0b5cad; --bad: #b42318; --ok: #1a7f37; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid #f0b400; outline-offset: 1px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; padding: 8px 16px; background: #0d2740; color: #fff; }
header.top a { color: #fff; text-decoration: none; padding: 4px 2px; }
header.top a[aria-current="page"] { border-bottom: 2px solid #f0b400; }
header.top .brand { font-weight: 700; margin-right: 12px; }
header.top nav { display: flex; flex-wrap: wrap; gap: 4px 16px; flex: 1; }
header.top form { margin: 0; }
header.top .who { font-size: 13px; opacity: .9; }
main { padding: 16px; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 22px; margin: 4px 0 16px; } h2 { font-size: 18px; margin: 24px 0 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 12px; }
.card h2 { margin-top: 0; font-size: 15px; color: var(--muted); }
.figure { font-size: 28px; font-weight: 700; text-decoration: none; }
.wide { grid-column: 1 / -1; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f8fa; }
.scroll { overflow-x: auto; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: flex-end; margin-bottom: 12px; }
label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); gap: 2px; }
label.inline { flex-direction: row; align-items: center; gap: 6px; color: var(--fg); }
input, select, button { font: inherit; padding: 5px 8px; border: 1px solid #8c959f; border-radius: 4px; background: #fff; color: var(--fg); }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.danger { background: var(--bad); border-color: var(--bad); }
button.plain { background: transparent; color: inherit; border-color: #fff8; }
.notice { padding: 8px 12px; border-radius: 4px; background: #ddf4ff; border: 1px solid #54aeff; margin-bottom: 12px; }
.error { padding: 8px 12px; border-radius: 4px; background: #ffebe9; border: 1px solid #ff8182; margin-bottom: 12px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; border: 1px solid currentColor; }
.valid { color: var(--ok); } .revoked, .invalid { color: var(--bad); } .expired, .pending, .processing { color: var(--warn); }
pre { white-space: pre-wrap; word-break: break-all; background: #f6f8fa; padding: 8px; border-radius: 4px; font-size: 12px; margin: 4px 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
ol.timeline li { margin: 0 0 12px 0; padding: 4px 0 4px 14px; position: relative; }
ol.timeline li::before { content: ""; position: absolute; left: -8px; top: 10px; width: 11px; height: 11px; border-radius: 50%; background: var(--accent); }
.meta { color: var(--muted); font-size: 13px; }
.chart svg { width: 100%; height: auto; max-height: 220px; }
.chart a rect { fill: var(--accent); } .chart a:focus rect, .chart a:hover rect { fill: #f0b400; }
.row { display: flex; flex-wrap: wrap; gap: 16px; } .row > * { flex: 1 1 320px; }
.login { max-width: 360px; margin: 40px auto; } .login form { display: flex; flex-direction: column; gap: 12px; }
@media (max-width: 640px) {
  main { padding: 10px; } header.top { padding: 8px; } .figure { font-size: 22px; }
  header.top nav { order: 3; flex-basis: 100%; } header.top .who { margin-left: auto; }
  table.responsive thead { display: none; }
  table.responsive tr { display: block; border-bottom: 2px solid var(--line); padding: 4px 0; }
  table.responsive td { display: block; border: 0; padding: 2px 4px; }
  table.responsive td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
}
`;

/** Copy buttons and confirmations, without inline script (the CSP allows only 'self'). */
export const CONSOLE_JS = `
document.addEventListener('click', function (e) {
  var b = e.target.closest('[data-copy]');
  if (!b) return;
  var el = document.getElementById(b.getAttribute('data-copy'));
  var text = el ? el.textContent : '';
  var done = function () { b.textContent = 'Copied'; };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, function () {});
  else { var r = document.createRange(); r.selectNodeContents(el); var s = getSelection(); s.removeAllRanges(); s.addRange(r); try { document.execCommand('copy'); done(); } catch (x) {} }
});
`;

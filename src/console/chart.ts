import { escapeHtml, raw } from './html';

/**
 * A bar chart as inline SVG drawn on the server: one bar per day, each bar a link to the list
 * of certificates issued that day (out of the tab order: the page lists the same links for
 * keyboards and screen readers). No chart library, nothing to download.
 */
export function barChart(points: Array<{ label: string; value: number; href: string }>, title: string) {
  const w = 900;
  const h = 200;
  const pad = { l: 34, b: 22, t: 8 };
  const max = Math.max(1, ...points.map((p) => p.value));
  const bw = (w - pad.l) / Math.max(1, points.length);
  const y = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const bars = points
    .map((p, i) => {
      const x = pad.l + i * bw;
      const top = y(p.value);
      const tip = `${p.label}: ${p.value}`;
      return `<a href="${escapeHtml(p.href)}" tabindex="-1" aria-label="${escapeHtml(tip)}"><title>${escapeHtml(tip)}</title><rect x="${(x + 1).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${Math.max(p.value ? 1 : 0, h - pad.b - top).toFixed(1)}"/></a>`;
    })
    .join('');
  const labels = points
    .map((p, i) => (i % 15 === 0 || i === points.length - 1 ? `<text x="${(pad.l + i * bw).toFixed(1)}" y="${h - 6}" font-size="11" fill="#57606a">${escapeHtml(p.label.slice(5))}</text>` : ''))
    .join('');
  const axis = `<text x="0" y="${pad.t + 10}" font-size="11" fill="#57606a">${max}</text><text x="0" y="${h - pad.b}" font-size="11" fill="#57606a">0</text><line x1="${pad.l}" x2="${w}" y1="${h - pad.b}" y2="${h - pad.b}" stroke="#d0d7de"/>`;
  return raw(`<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(title)}">${axis}${bars}${labels}</svg>`);
}

/**
 * HTML by tagged template: every interpolated value is escaped unless it is already Html (a
 * fragment built by `html`) or an array of them. Pages are strings rendered on the server.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function part(v: unknown): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(v);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => (out += part(v) + strings[i + 1]));
  return new Html(out);
}

/** Trusted markup (built by this module's callers from escaped parts, e.g. SVG). */
export const raw = (s: string) => new Html(s);

/** A query string from the non-empty values, for links to filtered lists. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const fmtTime = (v: unknown) => (v ? new Date(v as string).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

/** datetime-local inputs carry no zone: the console means UTC. */
export function utc(v: string | null | undefined): string | undefined {
  if (!v) return undefined;
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(v) ? `${v}Z` : v;
}

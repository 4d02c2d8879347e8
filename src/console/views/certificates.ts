import type { Page } from '../../admin/admin-queries';
import { badge } from '../layout';
import { fmtTime, html, qs } from '../html';
import type { ConsoleSession } from '../session';

export const CERT_FILTERS = ['name_contains', 'serial', 'account', 'status', 'expiring_before', 'issued_after', 'issued_before'] as const;
export type CertFilters = Partial<Record<(typeof CERT_FILTERS)[number], string>>;

export function certStatus(c: Record<string, unknown>, now = new Date()): string {
  if (c.revoked_at) return 'revoked';
  return new Date(c.not_after as string) <= now ? 'expired' : 'valid';
}

const dateInput = (v?: string) => (v ? v.slice(0, 16) : '');

/** Search form, results with cursor pagination, CSV link, and (admins) revoking the whole selection. */
export function certificatesView(f: CertFilters, result: Page<Record<string, unknown>>, session: ConsoleSession) {
  const field = (name: keyof CertFilters, label: string, type = 'text') =>
    html`<label>${label}<input name="${name}" type="${type}" value="${type === 'datetime-local' ? dateInput(f[name]) : (f[name] ?? '')}"></label>`;
  const selection = f.name_contains || f.account || f.serial;
  return html`<h1>Certificates</h1>
<form class="filters" method="get" action="/console/certificates" role="search" aria-label="Search certificates">
  ${field('name_contains', 'Name contains')}${field('serial', 'Serial (hex)')}${field('account', 'Account id')}
  <label>Status<select name="status"><option value="">any</option>${['valid', 'revoked', 'expired'].map((s) => html`<option${f.status === s ? html` selected` : ''}>${s}</option>`)}</select></label>
  ${field('expiring_before', 'Expiring before (UTC)', 'datetime-local')}${field('issued_after', 'Issued from (UTC)', 'datetime-local')}${field('issued_before', 'Issued before (UTC)', 'datetime-local')}
  <button type="submit">Search</button>
  <a href="/console/certificates.csv${qs(f)}" download>Download CSV</a>
</form>
<div class="scroll"><table class="responsive" id="certificates"><thead><tr><th>Names</th><th>Status</th><th>Serial</th><th>Issued</th><th>Expires</th><th>Account</th></tr></thead><tbody>
${result.items.length ? '' : html`<tr><td colspan="6">No certificate matches.</td></tr>`}
${result.items.map((c) => {
  const status = certStatus(c);
  return html`<tr data-certificate="${c.certificate_id}"><td data-label="Names"><a href="/console/certificates/${c.certificate_id}">${(c.names as string[]).join(', ')}</a></td>
  <td data-label="Status" data-status="${status}">${badge(status)}</td><td data-label="Serial"><code>${c.serial}</code></td><td data-label="Issued">${fmtTime(c.issued_at)}</td>
  <td data-label="Expires">${fmtTime(c.not_after)}</td><td data-label="Account"><a href="/console/accounts/${c.account_id}">${String(c.account_id).slice(0, 8)}…</a></td></tr>`;
})}
</tbody></table></div>
${result.next_cursor ? html`<p><a rel="next" href="/console/certificates${qs({ ...f, cursor: result.next_cursor })}">Next page</a></p>` : ''}
${session.principal.role === 'admin' && selection
  ? html`<details><summary>Revoke every unrevoked certificate of this selection</summary>
<form method="post" action="/console/certificates/revoke" class="filters">
  <input type="hidden" name="_csrf" value="${session.csrf}">
  ${f.name_contains ? html`<label>Exact name<input name="name" value="${f.name_contains}" required></label>` : ''}
  ${f.account ? html`<input type="hidden" name="account" value="${f.account}">` : ''}${f.serial ? html`<input type="hidden" name="serial" value="${f.serial}">` : ''}
  ${reasonSelect()}
  <label>Expected number of certificates<input name="expect" type="number" min="1" required></label>
  <button class="danger" type="submit">Revoke selection</button></form></details>`
  : ''}`;
}

export const REASONS: Array<[number, string]> = [
  [0, 'unspecified'], [1, 'keyCompromise'], [3, 'affiliationChanged'], [4, 'superseded'], [5, 'cessationOfOperation'], [9, 'privilegeWithdrawn'],
];

export const reasonSelect = () => html`<label>Reason<select name="reason">${REASONS.map(([n, s]) => html`<option value="${n}">${s} (${n})</option>`)}</select></label>`;

/** CSV of the search result (RFC 4180 quoting). */
export function certificatesCsv(rows: Array<Record<string, unknown>>): string {
  const cols = ['certificate_id', 'serial', 'names', 'status', 'issued_at', 'not_before', 'not_after', 'account_id', 'order_id', 'key_type', 'fingerprint_sha256', 'revoked_at', 'revocation_reason'];
  const cell = (v: unknown) => {
    const s = v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.join(' ') : v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(c === 'status' ? certStatus(r) : r[c])).join(','))].join('\r\n') + '\r\n';
}

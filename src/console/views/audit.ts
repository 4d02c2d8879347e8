import type { Page } from '../../admin/admin-queries';
import { parseStreamName } from '../../domain/streams';
import { fmtTime, html, qs } from '../html';

export const AUDIT_FILTERS = ['actor', 'type', 'stream', 'problem', 'from', 'to'] as const;
export type AuditFilters = Partial<Record<(typeof AUDIT_FILTERS)[number], string>>;

const resourceLink = (stream: string) => {
  const parsed = parseStreamName(stream);
  if (parsed?.category === 'cert') return html`<a href="/console/certificates/${parsed.id}">${stream}</a>`;
  if (parsed?.category === 'account') return html`<a href="/console/accounts/${parsed.id}">${stream}</a>`;
  return html`<a href="/console/audit${qs({ stream })}">${stream}</a>`;
};

export function auditView(f: AuditFilters, result: Page<Record<string, unknown>>) {
  const field = (name: keyof AuditFilters, label: string, type = 'text') => html`<label>${label}<input name="${name}" type="${type}" value="${type === 'datetime-local' ? (f[name] ?? '').slice(0, 16) : (f[name] ?? '')}"></label>`;
  const now = new Date();
  const monthAgo = new Date(now.getTime() - 30 * 86_400_000);
  return html`<h1>Audit trail</h1>
<form class="filters" method="get" action="/console/audit" aria-label="Filter the audit trail">
${field('actor', 'Actor (e.g. admin:alice)')}${field('type', 'Action (event type)')}${field('stream', 'Resource (stream)')}${f.problem ? html`<input type="hidden" name="problem" value="${f.problem}">` : ''}
${field('from', 'From (UTC)', 'datetime-local')}${field('to', 'To (UTC)', 'datetime-local')}<button type="submit">Filter</button></form>
${f.problem ? html`<p class="meta">Only events that recorded the problem <code>${f.problem}</code>.</p>` : ''}
<div class="scroll"><table class="responsive" id="audit"><thead><tr><th>Time</th><th>Action</th><th>Resource</th><th>Actor</th><th>Source</th><th>Server</th></tr></thead><tbody>
${result.items.length ? '' : html`<tr><td colspan="6">No events match.</td></tr>`}
${result.items.map(
  (r) => html`<tr data-event-type="${r.event_type}"><td data-label="Time">${fmtTime(r.recorded_at)}</td><td data-label="Action">${r.event_type}</td><td data-label="Resource">${resourceLink(String(r.stream_id))}</td>
<td data-label="Actor">${r.actor ?? 'system'}</td><td data-label="Source">${r.source_ip ?? '—'}</td><td data-label="Server">${r.server_id ? String(r.server_id).slice(0, 8) : '—'}</td></tr>`,
)}</tbody></table></div>
${result.next_cursor ? html`<p><a rel="next" href="/console/audit${qs({ ...f, cursor: result.next_cursor })}">Next page</a></p>` : ''}
<h2>Exports and reports</h2>
<form class="filters" method="get" action="/console/reports/compliance"><label>From (UTC)<input type="datetime-local" name="from" required value="${monthAgo.toISOString().slice(0, 16)}"></label>
<label>To (UTC)<input type="datetime-local" name="to" required value="${now.toISOString().slice(0, 16)}"></label>
<label>Format<select name="format"><option value="json">JSON (all sections)</option><option value="csv">CSV</option></select></label>
<label>CSV section<select name="section"><option>issued</option><option>revoked</option><option>accounts</option><option>eab</option></select></label>
<button type="submit">Download compliance report</button></form>
<p><a href="/console/audit/export${qs({ from: f.from, to: f.to })}" download>Download the event history (JSON Lines with its SHA-256 chain${f.from || f.to ? ', this period' : ''})</a></p>`;
}

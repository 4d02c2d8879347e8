import { X509Certificate } from '@peculiar/x509';
import type { StoredEvent } from '../../eventstore/event-store';
import { badge } from '../layout';
import { fmtTime, html } from '../html';
import type { ConsoleSession } from '../session';
import { reasonSelect } from './certificates';

export interface StreamHistory {
  stream: string;
  events: StoredEvent[];
  state_at: string;
  state: unknown;
}

/** What an auditor reads first in an event: the validation record, the CSR, the policy decision. */
function evidence(e: StoredEvent) {
  const d = e.data as Record<string, unknown>;
  const parts = [];
  if (d.record) {
    parts.push(html`<div data-evidence="validation-record"><strong>Validation record:</strong> ${recordSummary(d.record as Record<string, unknown>)}
<details><summary>Full record</summary><pre>${JSON.stringify(d.record, null, 2)}</pre></details></div>`);
  }
  if (d.error) parts.push(html`<div data-evidence="problem"><strong>Problem</strong><pre>${JSON.stringify(d.error, null, 2)}</pre></div>`);
  if (typeof d.csr === 'string') parts.push(html`<div data-evidence="csr"><strong>CSR</strong> (names ${(d.names as string[] | undefined)?.join(', ')}, key ${d.keyType})<pre>${pemOf('CERTIFICATE REQUEST', d.csr)}</pre></div>`);
  const rest = Object.fromEntries(Object.entries(d).filter(([k]) => !['record', 'error', 'csr', 'chainPem', 'jwk'].includes(k)));
  parts.push(html`<details><summary>Event data</summary><pre>${JSON.stringify(rest, null, 2)}</pre></details>`);
  return parts;
}

/** The facts of a validation in one line: method, resolver, addresses, HTTP status or TXT values. */
function recordSummary(r: Record<string, unknown>): string {
  const requests = (r.requests as Array<Record<string, unknown>> | undefined) ?? [];
  const statuses = requests.map((x) => x.status).filter((x) => x !== undefined);
  const facts = [
    r.type && `${r.type}`,
    r.hostname && `for ${r.hostname}`,
    r.resolverUsed && `resolver ${r.resolverUsed}`,
    Array.isArray(r.addressesResolved) && `addresses ${(r.addressesResolved as string[]).join(', ')}`,
    r.addressUsed && `connected to ${r.addressUsed}`,
    statuses.length > 0 && `HTTP ${statuses.join(' → ')}`,
    Array.isArray(r.txtRecords) && `TXT ${(r.txtRecords as string[]).join(', ')}`,
  ];
  return facts.filter(Boolean).join(' · ') || 'see the full record';
}

function pemOf(label: string, b64url: string): string {
  const b64 = Buffer.from(b64url, 'base64url').toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----`;
}

export function timelineView(events: StoredEvent[]) {
  return html`<ol class="timeline" id="timeline">${events.map((e) => {
    const m = e.metadata ?? {};
    return html`<li data-event-type="${e.type}" data-stream="${e.streamId}"><strong>${e.type}</strong> <span class="meta">on ${e.streamId} #${e.streamPosition}</span>
<div class="meta provenance"><time datetime="${e.recordedAt.toISOString()}">${fmtTime(e.recordedAt)}</time> · actor ${m.actor ?? 'system'} · from ${m.sourceIp ?? '—'} · server ${m.serverId ?? '—'}${m.requestId ? html` · request ${m.requestId}` : ''}</div>
${evidence(e)}</li>`;
  })}</ol>`;
}

/** Every stream's state at the instant asked for (the `?at=` of /api/history). */
export function stateAtView(histories: StreamHistory[], id: string, at?: string) {
  return html`<section id="state" aria-labelledby="state-h" aria-live="polite"><h2 id="state-h">State at an instant</h2>
<form class="filters" method="get" action="/console/certificates/${id}" hx-get="/console/certificates/${id}/state" hx-target="#state" hx-swap="outerHTML">
  <label>Instant (UTC)<input type="datetime-local" step="0.001" name="at" value="${at ? at.slice(0, 23) : ''}" required></label><button type="submit">Show state</button></form>
${histories.map((h) => html`<details${at ? html` open` : ''} data-state-stream="${h.stream}"><summary>${h.stream} as of ${fmtTime(h.state_at)}</summary><pre>${JSON.stringify(h.state, null, 2)}</pre></details>`)}
</section>`;
}

export function certificateView(cert: Record<string, any>, status: string, histories: StreamHistory[], timeline: StoredEvent[], session: ConsoleSession, at?: string) {
  const x = new X509Certificate(cert.chainPem.split(/(?<=-----END CERTIFICATE-----)/)[0].trim());
  const alg = x.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  return html`<h1>Certificate ${(cert.names as string[])[0]} ${badge(status)}</h1>
<div class="row"><section aria-labelledby="parsed-h"><h2 id="parsed-h">Certificate</h2><dl class="facts">
<dt>Names</dt><dd data-field="names">${(cert.names as string[]).join(', ')}</dd>
<dt>Serial</dt><dd data-field="serial"><code>${x.serialNumber}</code></dd>
<dt>Subject</dt><dd>${x.subject || '(empty)'}</dd><dt>Issuer</dt><dd data-field="issuer">${x.issuer}</dd>
<dt>Valid from</dt><dd>${fmtTime(x.notBefore.toISOString())}</dd><dt>Valid until</dt><dd>${fmtTime(x.notAfter.toISOString())}</dd>
<dt>Key</dt><dd>${alg.name}${alg.namedCurve ? ` ${alg.namedCurve}` : ''}${alg.modulusLength ? ` ${alg.modulusLength} bits` : ''} (${cert.keyType})</dd>
<dt>SHA-256</dt><dd><code>${cert.fingerprintSha256}</code></dd>
<dt>Account</dt><dd><a href="/console/accounts/${cert.accountId}">${cert.accountId}</a></dd><dt>Order</dt><dd>${cert.orderId}</dd>
<dt>Status</dt><dd data-field="status">${status}${cert.revoked ? ` (reason ${cert.revoked.reason}, ${fmtTime(cert.revoked.at)})` : ''}</dd>
</dl><p><a href="/console/certificates/${cert.certificateId}/pem" download>Download PEM (with chain)</a></p></section>
${session.principal.role === 'admin' && !cert.revoked
  ? html`<section aria-labelledby="revoke-h"><h2 id="revoke-h">Revoke</h2><form method="post" action="/console/certificates/${cert.certificateId}/revoke" class="filters">
<input type="hidden" name="_csrf" value="${session.csrf}">${reasonSelect()}
<label class="inline"><input type="checkbox" name="confirm" value="yes" required> I confirm revoking this certificate</label>
<button class="danger" type="submit">Revoke certificate</button></form></section>`
  : ''}</div>
<h2>Timeline</h2><p class="meta">Every event of the order, its authorizations and challenges, and the certificate, in the order they were recorded.</p>
${timelineView(timeline)}
${stateAtView(histories, cert.certificateId, at)}`;
}

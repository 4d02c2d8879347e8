import type { Page } from '../../admin/admin-queries';
import type { AccountState } from '../../domain/account';
import { badge } from '../layout';
import { fmtTime, html, qs } from '../html';
import type { ConsoleSession } from '../session';
import { certStatus } from './certificates';

export function accountsView(result: Page<Record<string, unknown>>) {
  return html`<h1>Accounts</h1><div class="scroll"><table class="responsive"><thead><tr><th>Account</th><th>Status</th><th>Contacts</th><th>Key thumbprint</th><th>EAB</th><th>Created</th></tr></thead><tbody>
${result.items.map(
  (a) => html`<tr><td data-label="Account"><a href="/console/accounts/${a.account_id}">${a.account_id}</a></td><td data-label="Status">${badge(String(a.status))}</td>
<td data-label="Contacts">${(a.contact as string[]).join(', ')}</td><td data-label="Thumbprint"><code>${a.thumbprint}</code></td><td data-label="EAB">${a.eab_key_id ?? '—'}</td><td data-label="Created">${fmtTime(a.created_at)}</td></tr>`,
)}</tbody></table></div>
${result.next_cursor ? html`<p><a rel="next" href="/console/accounts${qs({ cursor: result.next_cursor })}">Next page</a></p>` : ''}`;
}

export function ordersTable(orders: Array<Record<string, unknown>>) {
  return html`<div class="scroll"><table class="responsive" id="orders"><thead><tr><th>Order</th><th>Status</th><th>Identifiers</th><th>Created</th><th>Certificate</th></tr></thead><tbody>
${orders.length ? '' : html`<tr><td colspan="5">No orders.</td></tr>`}
${orders.map(
  (o) => html`<tr><td data-label="Order"><a href="/console/audit${qs({ stream: `order-${o.order_id}` })}">${o.order_id}</a></td><td data-label="Status">${badge(String(o.status))}</td>
<td data-label="Identifiers">${(o.identifiers as Array<{ value: string }>).map((i) => i.value).join(', ')}</td><td data-label="Created">${fmtTime(o.created_at)}</td>
<td data-label="Certificate">${o.certificate_id ? html`<a href="/console/certificates/${o.certificate_id}">view</a>` : '—'}</td></tr>`,
)}</tbody></table></div>`;
}

export function ordersView(status: string | undefined, result: Page<Record<string, unknown>>, account?: string) {
  return html`<h1>Orders${status ? ` (${status})` : ''}</h1>
<form class="filters" method="get" action="/console/orders"><label>Status<select name="status"><option value="">any</option>${['pending', 'ready', 'processing', 'valid', 'invalid'].map((s) => html`<option${status === s ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>Account id<input name="account" value="${account ?? ''}"></label><button type="submit">Filter</button></form>
${ordersTable(result.items)}
${result.next_cursor ? html`<p><a rel="next" href="/console/orders${qs({ status, account, cursor: result.next_cursor })}">Next page</a></p>` : ''}`;
}

export function accountView(a: AccountState, orders: Array<Record<string, unknown>>, certs: Array<Record<string, unknown>>, session: ConsoleSession) {
  const admin = session.principal.role === 'admin';
  return html`<h1>Account ${a.accountId} ${badge(a.status)}</h1>
<dl class="facts"><dt>Contacts</dt><dd>${a.contact.join(', ') || '—'}</dd><dt>Key thumbprint</dt><dd><code>${a.thumbprint}</code></dd><dt>Key type</dt><dd>${a.jwk.kty}${a.jwk.crv ? ` ${a.jwk.crv}` : ''}</dd>
<dt>EAB binding</dt><dd>${a.eabKeyId ? (admin ? a.eabKeyId : '[redacted]') : 'none'}</dd><dt>History</dt><dd><a href="/console/audit${qs({ stream: `account-${a.accountId}` })}">audit trail of this account</a></dd></dl>
<h2>Orders</h2>${ordersTable(orders)}
<h2>Certificates</h2><ul>${certs.map((c) => html`<li><a href="/console/certificates/${c.certificate_id}">${(c.names as string[]).join(', ')}</a> ${badge(certStatus(c))}</li>`)}</ul>
${admin && a.status === 'valid'
  ? html`<h2>Deactivate</h2><form method="post" action="/console/accounts/${a.accountId}/deactivate" class="filters"><input type="hidden" name="_csrf" value="${session.csrf}">
<label>Reason<input name="reason" required maxlength="500"></label><label class="inline"><input type="checkbox" name="confirm" value="yes" required> I confirm deactivating this account</label>
<button class="danger" type="submit">Deactivate account</button></form>`
  : ''}`;
}

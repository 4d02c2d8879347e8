import type { MaintenanceState } from '../../commands/maintenance';
import { fmtTime, html } from '../html';
import type { ConsoleSession } from '../session';
import { reasonSelect } from './certificates';

export interface CreatedEab {
  key_id: string;
  hmac_key: string;
  allowed_identifiers: string[];
}

/** Admin actions: maintenance mode, revoking a selection, EAB keys. */
export function actionsView(m: MaintenanceState, keys: Array<Record<string, unknown>>, session: ConsoleSession, created?: CreatedEab) {
  const csrf = html`<input type="hidden" name="_csrf" value="${session.csrf}">`;
  return html`<h1>Actions</h1>
<section aria-labelledby="maint-h"><h2 id="maint-h">Maintenance mode: <span data-field="maintenance">${m.enabled ? 'on' : 'off'}</span></h2>
${m.enabled ? html`<p class="meta">Since ${fmtTime(m.since)} by ${m.by}: ${m.reason ?? ''}</p>` : html`<p class="meta">New orders are accepted.</p>`}
<form method="post" action="/console/maintenance" class="filters">${csrf}<input type="hidden" name="enabled" value="${m.enabled ? 'false' : 'true'}">
${m.enabled ? '' : html`<label>Reason<input name="reason" maxlength="500"></label>`}
<button class="${m.enabled ? '' : 'danger'}" type="submit">${m.enabled ? 'Turn maintenance off' : 'Turn maintenance on'}</button></form></section>
<section aria-labelledby="bulk-h"><h2 id="bulk-h">Revoke a selection</h2>
<p class="meta">Revokes every unrevoked certificate matching all given fields, only if their number is the one expected.</p>
<form method="post" action="/console/certificates/revoke" class="filters">${csrf}
<label>Exact name<input name="name"></label><label>Account id<input name="account"></label><label>Serial (hex)<input name="serial"></label>${reasonSelect()}
<label>Expected number<input name="expect" type="number" min="1" required></label><button class="danger" type="submit">Revoke selection</button></form></section>
<section aria-labelledby="eab-h"><h2 id="eab-h">External Account Binding keys</h2>
${created
  ? html`<div class="notice" role="status" id="eab-created"><p>Key <code id="eab-kid">${created.key_id}</code> created. Its HMAC key is shown <strong>once</strong>: give it to the ACME client now.</p>
<p><code id="eab-hmac">${created.hmac_key}</code> <button type="button" data-copy="eab-hmac">Copy HMAC key</button> <button type="button" data-copy="eab-kid">Copy key id</button></p></div>`
  : ''}
<form method="post" action="/console/eab-keys" class="filters">${csrf}<label>Allowed identifiers (comma-separated, empty for any)<input name="allowed_identifiers"></label>
<label>Note<input name="note" maxlength="500"></label><button type="submit">Create EAB key</button></form>
<div class="scroll"><table class="responsive" id="eab-keys"><thead><tr><th>Key id</th><th>Allowed</th><th>Note</th><th>Created</th><th>Bound account</th><th>Status</th></tr></thead><tbody>
${keys.map(
  (k) => html`<tr><td data-label="Key id"><code>${k.key_id}</code></td><td data-label="Allowed">${(k.allowed_identifiers as string[]).join(', ') || 'any'}</td><td data-label="Note">${k.note ?? ''}</td>
<td data-label="Created">${fmtTime(k.created_at)} by ${k.created_by ?? '—'}</td><td data-label="Account">${k.bound_account_id ? html`<a href="/console/accounts/${k.bound_account_id}">${k.bound_account_id}</a>` : '—'}</td>
<td data-label="Status">${k.revoked_at
    ? html`revoked ${fmtTime(k.revoked_at)}`
    : html`<form method="post" action="/console/eab-keys/${k.key_id}/revoke">${csrf}<label class="inline"><input type="checkbox" name="confirm" value="yes" required> confirm</label><button class="danger" type="submit">Revoke key</button></form>`}</td></tr>`,
)}</tbody></table></div></section>`;
}

export function loginView(next: string, error?: string) {
  return html`<div class="login"><h1>Sign in to the certledger console</h1>
${error ? html`<p class="error" role="alert" id="login-error">${error}</p>` : ''}
<form method="post" action="/console/login"><input type="hidden" name="next" value="${next}">
<label>Username<input name="username" autocomplete="username" required autofocus></label>
<label>Password<input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>
<p class="meta">Admin API users (<code>certledger admin create-user</code>). Auditors read; admins also act.</p></div>`;
}

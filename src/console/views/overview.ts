import type { Overview } from '../../admin/admin-stats';
import { barChart } from '../chart';
import { fmtTime, html, qs } from '../html';

const DAY_MS = 86_400_000;

/** The overview: every figure is a link to the filtered list it counts. */
export function overviewView(o: Overview, crlPath: string) {
  const issuedTotal = o.issued_per_day.reduce((n, d) => n + d.count, 0);
  const issuedFrom = o.issued_per_day[0]?.day;
  const dayLink = (day: string) => `/console/certificates${qs({ issued_after: `${day}T00:00:00.000Z`, issued_before: new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString() })}`;
  const lag = o.projections.reduce((n, p) => n + p.lag, 0);
  return html`<h1>Overview</h1>
<div class="cards">
<section class="card wide chart" aria-labelledby="issued-h"><h2 id="issued-h">Certificates issued per day (last 90 days)</h2>
  <p><a class="figure" data-figure="issued-90d" href="/console/certificates${qs({ issued_after: `${issuedFrom}T00:00:00.000Z` })}">${issuedTotal}</a> issued since ${issuedFrom}</p>
  ${barChart(o.issued_per_day.map((d) => ({ label: d.day, value: d.count, href: dayLink(d.day) })), 'Certificates issued per day over the last 90 days')}
  <details><summary>Days with issuance</summary><ul>${o.issued_per_day.filter((d) => d.count > 0).map((d) => html`<li><a href="${dayLink(d.day)}">${d.day}: ${d.count}</a></li>`)}</ul></details>
</section>
${o.expiring.map(
  (e) => html`<section class="card" aria-labelledby="exp-${e.days}"><h2 id="exp-${e.days}">Expiring within ${e.days} days</h2>
  <a class="figure" data-figure="expiring-${e.days}" href="/console/certificates${qs({ status: 'valid', expiring_before: e.before })}">${e.count}</a></section>`,
)}
<section class="card" aria-labelledby="orders-h"><h2 id="orders-h">Orders by status</h2>
  <table><tbody>${Object.entries(o.orders_by_status).map(
    ([status, n]) => html`<tr><th scope="row">${status}</th><td><a data-figure="orders-${status}" href="/console/orders${qs({ status })}">${n}</a></td></tr>`,
  )}</tbody></table></section>
<section class="card" aria-labelledby="failed-h"><h2 id="failed-h">Failed validations by problem type</h2>
  ${o.failed_validations.length
    ? html`<table><tbody>${o.failed_validations.map(
        (f) => html`<tr><th scope="row">${f.problem_type.replace('urn:ietf:params:acme:error:', '')}</th><td><a data-figure="failed-${f.problem_type.split(':').pop()}" href="/console/audit${qs({ type: 'ChallengeFailed', problem: f.problem_type })}">${f.count}</a></td></tr>`,
      )}</tbody></table>`
    : html`<p><a class="figure" data-figure="failed-total" href="/console/audit?type=ChallengeFailed">0</a></p>`}
</section>
<section class="card" aria-labelledby="lag-h"><h2 id="lag-h">Projection lag</h2>
  <a class="figure" data-figure="projection-lag" href="/healthz">${lag}</a> events behind
  <table><tbody>${o.projections.map((p) => html`<tr><th scope="row">${p.name}</th><td>${p.lag}</td><td>${p.status}</td></tr>`)}</tbody></table></section>
<section class="card" aria-labelledby="crl-h"><h2 id="crl-h">CRL age</h2>
  ${o.crl.enabled
    ? o.crl.age_seconds === null
      ? html`<p>No CRL built yet.</p>`
      : html`<a class="figure" data-figure="crl-age" href="${crlPath}">${o.crl.age_seconds} s</a><p class="meta">CRL #${o.crl.crl_number}, built ${fmtTime(o.crl.this_update)}</p>`
    : html`<p>CRLs are disabled (crl.enabled: false).</p>`}
</section>
<section class="card" aria-labelledby="maint-h"><h2 id="maint-h">Maintenance mode</h2>
  <a class="figure" data-figure="maintenance" href="/console/audit?stream=system-maintenance">${o.maintenance.enabled ? 'on' : 'off'}</a>
  ${o.maintenance.enabled ? html`<p class="meta">since ${fmtTime(o.maintenance.since)} by ${o.maintenance.by}: ${o.maintenance.reason ?? ''}</p>` : ''}
</section>
</div>
<p class="meta">Figures as of ${fmtTime(o.generated_at)}.</p>`;
}

import type { FastifyReply } from 'fastify';
import { type Html, html } from './html';
import type { ConsoleSession } from './session';

const NAV: Array<[string, string, boolean]> = [
  ['/console/overview', 'Overview', false],
  ['/console/certificates', 'Certificates', false],
  ['/console/orders', 'Orders', false],
  ['/console/accounts', 'Accounts', false],
  ['/console/audit', 'Audit trail', false],
  ['/console/actions', 'Actions', true],
];

export interface PageOptions {
  title: string;
  session: ConsoleSession | null;
  active?: string;
  notice?: string | null;
  error?: string | null;
}

export function page(o: PageOptions, body: Html): Html {
  const s = o.session;
  const isAdmin = s?.principal.role === 'admin';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}'>
<title>${o.title} · certledger console</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/htmx.min.js" defer></script><script src="/console/assets/console.js" defer></script>
</head><body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">certledger</span>
${s
  ? html`<nav aria-label="Main">${NAV.filter(([, , adminOnly]) => !adminOnly || isAdmin).map(
      ([href, label]) => html`<a href="${href}"${o.active === href ? html` aria-current="page"` : ''}>${label}</a>`,
    )}</nav>
<span class="who" data-role="${s.principal.role}">${s.principal.username} (${s.principal.role})</span>
<form method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${s.csrf}"><button class="plain" type="submit">Sign out</button></form>`
  : ''}
</header>
<main id="main" tabindex="-1">
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
${body}
</main></body></html>`;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

export function sendHtml(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(body.value);
}

export function redirect(reply: FastifyReply, to: string): FastifyReply {
  return reply.code(303).headers(SECURITY_HEADERS).header('Location', to).send();
}

export function download(reply: FastifyReply, filename: string, type: string, body: unknown): FastifyReply {
  return reply.headers(SECURITY_HEADERS).header('Content-Type', type).header('Content-Disposition', `attachment; filename="${filename}"`).send(body);
}

export const badge = (status: string) => html`<span class="badge ${status}">${status}</span>`;

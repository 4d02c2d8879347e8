import { Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf } from '../acme/http/problem-response';
import { AcmeError } from '../domain/errors';
import { Html, html, utc } from './html';
import { page, redirect, sendHtml } from './layout';
import type { ConsoleSession, ConsoleSessions } from './session';

const LOG = new Logger('console');

/** Thrown by console handlers to answer with a page naming the problem. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The values of a query string or form as a DTO of the admin API, validated by its own rules. */
export async function dto<T extends object>(cls: new () => T, values: Record<string, unknown>): Promise<T> {
  const plain = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const obj = plainToInstance(cls, plain);
  const errors = await validate(obj, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new ConsoleError(400, errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '));
  return obj;
}

const DATE_KEYS = new Set(['at', 'from', 'to', 'expiring_before', 'issued_after', 'issued_before']);

export function pick<K extends string>(src: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) {
    const v = src[k];
    if (typeof v === 'string' && v.trim() !== '') out[k] = DATE_KEYS.has(k) ? utc(v.trim()) : v.trim();
  }
  return out;
}

/**
 * Runs a console page or action: resolves the session (or sends the browser to sign in), checks
 * origin and CSRF token for state changes and the admin role where asked, and renders failures,
 * including the admin services' problems, as a page with the problem's status.
 */
export async function handle(
  sessions: ConsoleSessions,
  req: FastifyRequest,
  reply: FastifyReply,
  opts: { title: string; write?: boolean; adminOnly?: boolean; csrf?: string | null },
  body: (s: ConsoleSession) => Promise<Html | FastifyReply>,
): Promise<FastifyReply> {
  const session = await sessions.current(req);
  if (!session) {
    if (opts.write) return sendHtml(reply, page({ title: 'Not signed in', session: null, error: 'Your session has ended: sign in again.' }, html`<p><a href="/console/login">Sign in</a></p>`), 401);
    return redirect(reply, `/console/login?next=${encodeURIComponent(req.url)}`);
  }
  try {
    if (opts.write && (!sessions.sameOrigin(req) || !sessions.csrfValid(session, opts.csrf ?? null))) {
      throw new ConsoleError(403, 'this request did not come from a console page of this session (missing or wrong CSRF token, or another origin); nothing was changed');
    }
    if (opts.adminOnly && session.principal.role !== 'admin') throw new ConsoleError(403, `the ${session.principal.role} role may not do this (needs admin); nothing was changed`);
    const out = await body(session);
    return out instanceof Html ? sendHtml(reply, out) : out;
  } catch (e) {
    const status = e instanceof ConsoleError ? e.status : e instanceof AcmeError ? httpStatusOf(e) : 500;
    const detail = e instanceof ConsoleError ? e.message : e instanceof AcmeError ? e.detail : 'internal error: see the server log';
    if (status === 500) LOG.error(`console request ${req.method} ${req.url} failed: ${(e as Error).stack ?? e}`);
    return sendHtml(reply, page({ title: 'Error', session, error: detail }, html`<p><a href="/console/overview">Overview</a></p>`), status);
  }
}

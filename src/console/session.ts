import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_TOKENS } from '../admin/admin-auth.guard';
import type { AdminPrincipal, AdminTokens } from '../admin/admin-tokens';
import { type AdminUsers } from '../admin/admin-users';
import { ADMIN_USERS } from '../admin/admin.controller';

export const COOKIE = 'certledger_console';

export interface ConsoleSession {
  principal: AdminPrincipal;
  /** Synchronizer token every form of this session carries; derived from the cookie, which scripts cannot read. */
  csrf: string;
  token: string;
}

export type ConsoleRequest = FastifyRequest & { body?: unknown };

function cookies(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/** A form body (application/x-www-form-urlencoded), parsed by Fastify's form parser or still text. */
export function form(req: ConsoleRequest): URLSearchParams {
  const b = req.body;
  if (typeof b === 'string') return new URLSearchParams(b);
  const out = new URLSearchParams();
  if (b && typeof b === 'object') for (const [k, v] of Object.entries(b)) for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') out.append(k, x);
  return out;
}

const csrfFor = (token: string) => createHash('sha256').update(`certledger-console-csrf:${token}`).digest('base64url');

/**
 * Console sessions on top of the admin API's users and tokens: the bearer token lives only in an
 * httpOnly, SameSite=Strict cookie scoped to /console; state-changing requests must come from
 * this origin and carry the session's CSRF token.
 */
@Injectable()
export class ConsoleSessions {
  constructor(
    @Inject(ADMIN_USERS) readonly users: AdminUsers,
    @Inject(ADMIN_TOKENS) readonly tokens: AdminTokens,
  ) {}

  async start(req: FastifyRequest, reply: FastifyReply, username: string, password: string): Promise<void> {
    const user = await this.users.login(username, password);
    const { token, expiresAt } = await this.tokens.issue(user);
    const maxAge = Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
    reply.header('Set-Cookie', `${COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${req.protocol === 'https' ? '; Secure' : ''}`);
  }

  clear(req: FastifyRequest, reply: FastifyReply): void {
    reply.header('Set-Cookie', `${COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${req.protocol === 'https' ? '; Secure' : ''}`);
  }

  async current(req: FastifyRequest): Promise<ConsoleSession | null> {
    const token = cookies(req)[COOKIE];
    if (!token) return null;
    const result = await this.tokens.verify(token);
    if ('reason' in result) return null;
    return { principal: result.principal, csrf: csrfFor(token), token };
  }

  /** Same origin (when the browser says where the request comes from) and the session's CSRF token. */
  sameOrigin(req: FastifyRequest): boolean {
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin' && site !== 'none') return false;
    const origin = req.headers.origin;
    if (origin && origin !== `${req.protocol}://${req.headers.host}`) return false;
    return true;
  }

  csrfValid(session: ConsoleSession, presented: string | null): boolean {
    if (!presented) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(session.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoginError } from '../admin/admin-users';
import { CONSOLE_CSS, CONSOLE_JS, HTMX_JS } from './assets';
import { page, redirect, sendHtml } from './layout';
import { html } from './html';
import { ConsoleSessions, form } from './session';
import { loginView } from './views/actions';

const ASSETS: Record<string, [string, string | Buffer]> = {
  'console.css': ['text/css; charset=utf-8', CONSOLE_CSS],
  'console.js': ['text/javascript; charset=utf-8', CONSOLE_JS],
  'htmx.min.js': ['text/javascript; charset=utf-8', HTMX_JS],
};

/** Only paths inside the console are followed after sign-in. */
const safeNext = (v: unknown) => (typeof v === 'string' && /^\/console(\/[^\s\\]*)?$/.test(v) && !v.startsWith('//') ? v : '/console/overview');

/** Sign-in, sign-out and the console's static assets. */
@Controller('console')
export class ConsoleAuthController {
  constructor(private readonly sessions: ConsoleSessions) {}

  @Get()
  async index(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return redirect(reply, (await this.sessions.current(req)) ? '/console/overview' : '/console/login');
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply) {
    const a = ASSETS[file];
    if (!a) return reply.code(404).type('text/plain').send('not found');
    return reply.header('Content-Type', a[0]).header('Cache-Control', 'public, max-age=3600').header('X-Content-Type-Options', 'nosniff').send(a[1]);
  }

  @Get('login')
  login(@Query('next') next: string | undefined, @Query('signed_out') out: string | undefined, @Res() reply: FastifyReply) {
    return sendHtml(reply, page({ title: 'Sign in', session: null, notice: out ? 'You are signed out.' : null }, loginView(safeNext(next))));
  }

  @Post('login')
  async doLogin(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const f = form(req);
    const next = safeNext(f.get('next'));
    if (!this.sessions.sameOrigin(req)) return sendHtml(reply, page({ title: 'Sign in', session: null }, loginView(next, 'sign-in from another site is refused')), 403);
    try {
      await this.sessions.start(req, reply, f.get('username') ?? '', f.get('password') ?? '');
    } catch (e) {
      if (!(e instanceof LoginError)) throw e;
      // The API's own words: "invalid username or password", "too many failed logins from this address: try again in …".
      return sendHtml(reply, page({ title: 'Sign in', session: null }, loginView(next, e.message)), e.retryAfterMs !== null ? 429 : 401);
    }
    return redirect(reply, next);
  }

  @Post('logout')
  async logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const s = await this.sessions.current(req);
    if (s && this.sessions.sameOrigin(req) && this.sessions.csrfValid(s, form(req).get('_csrf'))) await this.sessions.tokens.revoke(s.principal);
    else if (s) return sendHtml(reply, page({ title: 'Sign out', session: s, error: 'sign-out needs the form of this session' }, html``), 403);
    this.sessions.clear(req, reply);
    return redirect(reply, '/console/login?signed_out=1');
  }
}

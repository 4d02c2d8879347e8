import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminActions } from '../admin/admin-actions';
import { BulkRevokeDto, CreateEabKeyDto, DeactivateAccountDto, MaintenanceDto, RevokeDto, RevokeEabKeyDto } from '../admin/dto';
import { EabKeys } from '../admin/eab-keys';
import { MAINTENANCE, type MaintenanceMode } from '../commands/maintenance';
import { ConsoleError, dto, handle } from './context';
import { html } from './html';
import { page, redirect } from './layout';
import { type ConsoleSession, ConsoleSessions, form } from './session';
import { actionsView } from './views/actions';

/**
 * The console's actions, admin role only, each through the admin API's own service (the same
 * events, with the admin as actor, the browser's address and the request id). Every form carries
 * the session's CSRF token; a request without it, from another origin or by an auditor changes nothing.
 */
@Controller('console')
export class ConsoleActionsController {
  constructor(
    private readonly sessions: ConsoleSessions,
    private readonly actions: AdminActions,
    private readonly eab: EabKeys,
    @Inject(MAINTENANCE) private readonly maintenance: MaintenanceMode,
  ) {}

  private run(req: FastifyRequest, reply: FastifyReply, title: string, body: (s: ConsoleSession, f: URLSearchParams) => Promise<ReturnType<typeof html> | FastifyReply>) {
    const f = form(req);
    return handle(this.sessions, req, reply, { title, write: true, adminOnly: true, csrf: f.get('_csrf') }, (s) => body(s, f));
  }

  private meta(req: FastifyRequest) {
    return { sourceIp: req.ip, requestId: String(req.id) };
  }

  private static confirmed(f: URLSearchParams) {
    if (f.get('confirm') !== 'yes') throw new ConsoleError(400, 'tick the confirmation box: nothing was changed');
  }

  @Post('certificates/:id/revoke')
  revoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    return this.run(req, reply, 'Revoke', async (s, f) => {
      ConsoleActionsController.confirmed(f);
      const body = await dto(RevokeDto, { reason: f.get('reason') });
      await this.actions.revokeCertificate(id, body.reason, s.principal, this.meta(req));
      return redirect(reply, `/console/certificates/${encodeURIComponent(id)}?done=revoked`);
    });
  }

  @Post('certificates/revoke')
  bulkRevoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.run(req, reply, 'Revoke selection', async (s, f) => {
      const body = await dto(BulkRevokeDto, { reason: f.get('reason'), name: f.get('name'), account: f.get('account'), serial: f.get('serial'), expect: f.get('expect') });
      const r = await this.actions.bulkRevoke(body, s.principal, this.meta(req));
      return page({ title: 'Revoked', session: s, notice: `${r.revoked.length} certificates revoked.` }, html`<ul>${r.revoked.map((id) => html`<li><a href="/console/certificates/${id}">${id}</a></li>`)}</ul>`);
    });
  }

  @Post('accounts/:id/deactivate')
  deactivate(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    return this.run(req, reply, 'Deactivate', async (s, f) => {
      ConsoleActionsController.confirmed(f);
      const body = await dto(DeactivateAccountDto, { reason: f.get('reason') });
      await this.actions.deactivateAccount(id, body.reason, s.principal, this.meta(req));
      return redirect(reply, `/console/accounts/${encodeURIComponent(id)}?done=deactivated`);
    });
  }

  @Post('maintenance')
  setMaintenance(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.run(req, reply, 'Maintenance', async (s, f) => {
      const body = await dto(MaintenanceDto, { enabled: f.get('enabled') === 'true', reason: f.get('reason') });
      await this.maintenance.set(body.enabled, body.reason ?? null, `admin:${s.principal.username}`, this.meta(req));
      return redirect(reply, '/console/actions?done=maintenance');
    });
  }

  /** The HMAC key is in this response only: the page is not stored (Cache-Control: no-store). */
  @Post('eab-keys')
  createEab(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.run(req, reply, 'EAB key', async (s, f) => {
      const ids = (f.get('allowed_identifiers') ?? '').split(/[\s,]+/).filter(Boolean);
      const body = await dto(CreateEabKeyDto, { allowed_identifiers: ids.length ? ids : undefined, note: f.get('note') });
      const created = await this.eab.create(body.allowed_identifiers ?? [], body.note ?? null, { ...this.meta(req), actor: `admin:${s.principal.username}` });
      const [m, keys] = await Promise.all([this.maintenance.state(), this.eab.list()]);
      return page({ title: 'Actions', session: s, active: '/console/actions' }, actionsView(m.state, keys, s, created));
    });
  }

  @Post('eab-keys/:id/revoke')
  revokeEab(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    return this.run(req, reply, 'Revoke EAB key', async (s, f) => {
      ConsoleActionsController.confirmed(f);
      const body = await dto(RevokeEabKeyDto, { reason: f.get('reason') });
      await this.eab.revoke(id, body.reason ?? null, { ...this.meta(req), actor: `admin:${s.principal.username}` });
      return redirect(reply, '/console/actions?done=eab-revoked');
    });
  }
}

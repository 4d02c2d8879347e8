import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminQueries } from '../admin/admin-queries';
import { AdminStats } from '../admin/admin-stats';
import { AuditQuery, CertificateQuery, HistoryQuery, OrderQuery, PageQuery } from '../admin/dto';
import { EabKeys } from '../admin/eab-keys';
import { MAINTENANCE, type MaintenanceMode } from '../commands/maintenance';
import { ADMIN_SOURCES, type AdminSources } from '../admin/admin-sources';
import type { AccountState } from '../domain/account';
import { handle, dto, pick } from './context';
import { page } from './layout';
import { ConsoleSessions } from './session';
import { loadCertificate } from './certificate-data';
import { accountsView, accountView, ordersView } from './views/accounts';
import { actionsView } from './views/actions';
import { AUDIT_FILTERS, auditView } from './views/audit';
import { CERT_FILTERS, certificatesView } from './views/certificates';
import { certificateView, stateAtView } from './views/certificate';
import { overviewView } from './views/overview';

type Q = Record<string, unknown>;

/** The console's read pages, each built from the admin API's own services. */
@Controller('console')
export class ConsolePagesController {
  constructor(
    private readonly sessions: ConsoleSessions,
    private readonly queries: AdminQueries,
    private readonly stats: AdminStats,
    private readonly eab: EabKeys,
    @Inject(MAINTENANCE) private readonly maintenance: MaintenanceMode,
    @Inject(ADMIN_SOURCES) private readonly rt: AdminSources,
  ) {}

  private readonly compare = (a: string, b: string) => this.rt.store.comparePositions(a, b);

  @Get('overview')
  overview(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return handle(this.sessions, req, reply, { title: 'Overview' }, async (s) =>
      page({ title: 'Overview', session: s, active: '/console/overview' }, overviewView(await this.stats.overview(), '/crl')),
    );
  }

  @Get('certificates')
  certificates(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'Certificates' }, async (s) => {
      const f = pick(q, CERT_FILTERS);
      const result = await this.queries.certificates(await dto(CertificateQuery, { ...f, cursor: q.cursor, limit: 50 }));
      return page({ title: 'Certificates', session: s, active: '/console/certificates', notice: q.done === 'revoked' ? 'The selection was revoked.' : null }, certificatesView(f, result, s));
    });
  }

  @Get('orders')
  orders(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'Orders' }, async (s) => {
      const f = pick(q, ['status', 'account', 'cursor'] as const);
      const result = await this.queries.orders(await dto(OrderQuery, { ...f, limit: 50 }));
      return page({ title: 'Orders', session: s, active: '/console/orders' }, ordersView(f.status, result, f.account));
    });
  }

  @Get('certificates/:id')
  certificate(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'Certificate' }, async (s) => {
      const at = (await dto(HistoryQuery, pick(q, ['at'] as const))).at;
      const c = await loadCertificate(this.queries, id, at, this.compare);
      const notice = q.done === 'revoked' ? 'The certificate was revoked.' : null;
      return page({ title: `Certificate ${c.cert.names[0]}`, session: s, active: '/console/certificates', notice }, certificateView(c.cert, c.status, c.histories, c.timeline, s, at));
    });
  }

  /** The "state at" fragment htmx swaps in place (the full page answers the same form without script). */
  @Get('certificates/:id/state')
  certificateState(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'State' }, async () => {
      const at = (await dto(HistoryQuery, pick(q, ['at'] as const))).at;
      const c = await loadCertificate(this.queries, id, at, this.compare);
      return stateAtView(c.histories, id, at);
    });
  }

  @Get('accounts')
  accounts(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'Accounts' }, async (s) => {
      const result = await this.queries.accounts(await dto(PageQuery, { cursor: q.cursor, limit: 50 }));
      if (s.principal.role === 'auditor') result.items = result.items.map((a) => ({ ...a, eab_key_id: a.eab_key_id ? '[redacted]' : null }));
      return page({ title: 'Accounts', session: s, active: '/console/accounts' }, accountsView(result));
    });
  }

  @Get('accounts/:id')
  account(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'Account' }, async (s) => {
      const state = (await this.queries.history(`account-${id}`)).state as AccountState;
      const [orders, certs] = await Promise.all([this.queries.orders({ account: id, limit: 100 }), this.queries.certificates({ account: id, limit: 100 })]);
      const notice = q.done === 'deactivated' ? 'The account was deactivated.' : null;
      return page({ title: `Account ${id}`, session: s, active: '/console/accounts', notice }, accountView(state, orders.items, certs.items, s));
    });
  }

  @Get('audit')
  audit(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'Audit trail' }, async (s) => {
      const f = pick(q, AUDIT_FILTERS);
      const result = await this.queries.audit(await dto(AuditQuery, { ...f, cursor: q.cursor, limit: 100 }));
      return page({ title: 'Audit trail', session: s, active: '/console/audit' }, auditView(f, result));
    });
  }

  @Get('actions')
  actions(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'Actions', adminOnly: true }, async (s) => {
      const notice = typeof q.done === 'string' ? { maintenance: 'Maintenance mode changed.', 'eab-revoked': 'The EAB key was revoked.' }[q.done] : null;
      const [m, keys] = await Promise.all([this.maintenance.state(), this.eab.list()]);
      return page({ title: 'Actions', session: s, active: '/console/actions', notice }, actionsView(m.state, keys, s));
    });
  }
}

import { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ADMIN_SOURCES, type AdminSources } from './admin-sources';
import { exportEvents } from './export';
import { storedDigests } from '../eventstore/postgres/event-chain';
import { complianceReport, reportCsv } from './reports';
import { AcmeError } from '../domain/errors';
import { AdminActions } from './admin-actions';
import { ADMIN_TOKENS, AdminAuthGuard, type AdminRequest, Public, Roles } from './admin-auth.guard';
import { AdminQueries } from './admin-queries';
import { AdminStats } from './admin-stats';
import type { AdminTokens } from './admin-tokens';
import { type AdminUsers, LoginError } from './admin-users';
import { EabKeys } from './eab-keys';
import { AuditQuery, AuthorizationQuery, BulkRevokeDto, CreateEabKeyDto, PeriodQuery, ReportQuery, RevokeEabKeyDto, RenewNowDto, CertificateQuery, ChangePasswordDto, DeactivateAccountDto, HistoryQuery, LoginDto, MaintenanceDto, OrderQuery, PageQuery, RateLimitOverrideDto, RemoveRateLimitOverrideDto, RevokeDto } from './dto';
import { RateLimitOverrides } from './rate-limit-overrides';
import { parseDuration } from '../config/units';
import { MAINTENANCE, type MaintenanceMode } from '../commands/maintenance';
import { ADMIN_OPENAPI } from './openapi';

export const ADMIN_USERS = Symbol('certledger.admin-users');

/**
 * The admin API under /api (enabled by admin.enabled). Auditors read; admins also act. Every
 * action is an event with the admin as actor; bodies and queries are validated DTOs.
 */
@Controller('api')
@UseGuards(AdminAuthGuard)
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class AdminController {
  constructor(
    @Inject(ADMIN_USERS) private readonly users: AdminUsers,
    @Inject(ADMIN_TOKENS) private readonly tokens: AdminTokens,
    @Inject(MAINTENANCE) private readonly maintenance: MaintenanceMode,
    private readonly queries: AdminQueries,
    private readonly actions: AdminActions,
    private readonly eab: EabKeys,
    private readonly overrides: RateLimitOverrides,
    private readonly stats: AdminStats,
    @Inject(ADMIN_SOURCES) private readonly rt: AdminSources,
  ) {}

  private get store() {
    return this.rt.store;
  }

  private get pool() {
    return this.rt.db.pool;
  }

  private meta(req: AdminRequest) {
    return { sourceIp: req.ip, requestId: String(req.id) };
  }

  @Get('openapi.json')
  @Public()
  openapi() {
    return ADMIN_OPENAPI;
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  async login(@Req() req: AdminRequest, @Body() body: LoginDto) {
    try {
      const user = await this.users.login(body.username, body.password, req.ip);
      const { token, expiresAt } = await this.tokens.issue(user);
      return { token, token_type: 'Bearer', expires_at: expiresAt.toISOString(), role: user.role };
    } catch (e) {
      if (e instanceof LoginError) {
        if (e.retryAfterMs === null) throw new AcmeError('unauthorized', e.message, [], { reason: { kind: 'unauthenticated' } });
        throw new AcmeError('rateLimited', e.message, [], { reason: { kind: 'limited', retryAfterMs: e.retryAfterMs } });
      }
      throw e;
    }
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: AdminRequest) {
    await this.tokens.revoke(req.admin!);
    return { logged_out: true };
  }

  @Post('password')
  @HttpCode(200)
  async password(@Req() req: AdminRequest, @Body() body: ChangePasswordDto) {
    try {
      await this.users.changePassword(req.admin!.userId, body.current, body.password);
    } catch (e) {
      if (e instanceof LoginError) throw new AcmeError('unauthorized', e.message);
      throw e;
    }
    return { changed: true, note: 'every token issued before now no longer works; log in again' };
  }

  @Get('me')
  me(@Req() req: AdminRequest) {
    const p = req.admin!;
    return { user_id: p.userId, username: p.username, role: p.role, token_expires_at: p.expiresAt.toISOString() };
  }

  @Get('certificates')
  certificates(@Query() q: CertificateQuery) {
    return this.queries.certificates(q);
  }

  @Post('certificates/revoke')
  @Roles('admin')
  @HttpCode(200)
  bulkRevoke(@Req() req: AdminRequest, @Body() body: BulkRevokeDto) {
    return this.actions.bulkRevoke(body, req.admin!, this.meta(req));
  }

  /** Incident response: "renew these now" through ARI (RFC 9773), recorded per certificate. */
  @Post('certificates/renew-now')
  @Roles('admin')
  @HttpCode(200)
  renewNow(@Req() req: AdminRequest, @Body() body: RenewNowDto) {
    return this.actions.requestRenewal(body, req.admin!, this.meta(req));
  }

  @Post('certificates/:id/revoke')
  @Roles('admin')
  @HttpCode(200)
  async revoke(@Req() req: AdminRequest, @Param('id') id: string, @Body() body: RevokeDto) {
    const c = await this.actions.revokeCertificate(id, body.reason, req.admin!, this.meta(req));
    return { certificate_id: c.certificateId, serial: c.serial, revoked: c.revoked };
  }

  @Get('accounts')
  async accounts(@Req() req: AdminRequest, @Query() q: PageQuery) {
    const page = await this.queries.accounts(q);
    // Auditors see that an account is bound to an EAB key, not which one.
    if (req.admin!.role === 'auditor') page.items = page.items.map((a) => ({ ...a, eab_key_id: a.eab_key_id ? '[redacted]' : null }));
    return page;
  }

  @Post('accounts/:id/deactivate')
  @Roles('admin')
  @HttpCode(200)
  async deactivate(@Req() req: AdminRequest, @Param('id') id: string, @Body() body: DeactivateAccountDto) {
    const a = await this.actions.deactivateAccount(id, body.reason, req.admin!, this.meta(req));
    return { account_id: a.accountId, status: a.status };
  }

  @Get('orders')
  orders(@Query() q: OrderQuery) {
    return this.queries.orders(q);
  }

  /** The figures of the console's overview; each is the count of a list the other endpoints filter to. */
  @Get('overview')
  overview() {
    return this.stats.overview();
  }

  @Get('authorizations')
  authorizations(@Query() q: AuthorizationQuery) {
    return this.queries.authorizations(q);
  }

  @Get('audit')
  audit(@Query() q: AuditQuery) {
    return this.queries.audit(q);
  }

  @Get('history/:stream')
  history(@Param('stream') stream: string, @Query() q: HistoryQuery) {
    return this.queries.history(stream, q.at ? new Date(q.at) : undefined);
  }

  @Post('eab-keys')
  @Roles('admin')
  @HttpCode(201)
  async createEabKey(@Req() req: AdminRequest, @Body() body: CreateEabKeyDto) {
    const created = await this.eab.create(body.allowed_identifiers ?? [], body.note ?? null, { ...this.meta(req), actor: `admin:${req.admin!.username}` });
    return { ...created, note: 'the HMAC key is shown once: give it to the ACME client now' };
  }

  @Get('eab-keys')
  eabKeys() {
    return this.eab.list();
  }

  @Post('eab-keys/:id/revoke')
  @Roles('admin')
  @HttpCode(200)
  revokeEabKey(@Req() req: AdminRequest, @Param('id') id: string, @Body() body: RevokeEabKeyDto) {
    return this.eab.revoke(id, body.reason ?? null, { ...this.meta(req), actor: `admin:${req.admin!.username}` });
  }

  /** The history (or a time range of it) as JSON Lines with a running SHA-256 chain; verify with `certledger events verify`. */
  @Get('events/export')
  exportEvents(@Query() q: PeriodQuery, @Res() reply: FastifyReply) {
    const range = { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
    reply.header('Content-Type', 'application/jsonl; charset=utf-8');
    reply.header('Content-Disposition', 'attachment; filename="certledger-events.jsonl"');
    return reply.send(Readable.from(exportEvents(this.store, range, (seqs) => storedDigests(this.rt.db.backgroundPool, seqs))));
  }

  @Get('reports/compliance')
  async report(@Query() q: ReportQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await complianceReport(this.pool, this.store, new Date(q.from), new Date(q.to));
    if (q.format !== 'csv') return report;
    reply.header('Content-Type', 'text/csv; charset=utf-8');
    return reportCsv(report, q.section ?? 'issued');
  }

  @Get('maintenance')
  async getMaintenance() {
    return (await this.maintenance.state()).state;
  }

  @Post('maintenance')
  @Roles('admin')
  @HttpCode(200)
  setMaintenance(@Req() req: AdminRequest, @Body() body: MaintenanceDto) {
    return this.maintenance.set(body.enabled, body.reason ?? null, `admin:${req.admin!.username}`, this.meta(req));
  }

  @Get('rate-limits/overrides')
  listRateLimitOverrides() {
    return this.overrides.list();
  }

  @Post('rate-limits/overrides')
  @Roles('admin')
  @HttpCode(200)
  setRateLimitOverride(@Req() req: AdminRequest, @Body() body: RateLimitOverrideDto) {
    const periodMs = body.period ? parseDuration(body.period) : null;
    return this.overrides.set({ limit: body.limit, subject: body.subject, count: body.count, periodMs, reason: body.reason ?? null }, `admin:${req.admin!.username}`, this.meta(req));
  }

  @Post('rate-limits/overrides/remove')
  @Roles('admin')
  @HttpCode(200)
  removeRateLimitOverride(@Req() req: AdminRequest, @Body() body: RemoveRateLimitOverrideDto) {
    return this.overrides.remove(body.limit, body.subject, `admin:${req.admin!.username}`, this.meta(req));
  }
}

import { Readable } from 'node:stream';
import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminQueries } from '../admin/admin-queries';
import { CertificateQuery, PeriodQuery, ReportQuery } from '../admin/dto';
import { exportEvents } from '../admin/export';
import { complianceReport, reportCsv } from '../admin/reports';
import type { CertificateState } from '../domain/certificate';
import { ADMIN_SOURCES, type AdminSources } from '../admin/admin-sources';
import { chainPemOf } from './certificate-data';
import { dto, handle, pick } from './context';
import { download } from './layout';
import { ConsoleSessions } from './session';
import { CERT_FILTERS, certificatesCsv } from './views/certificates';

const CSV_MAX_ROWS = 100_000;
type Q = Record<string, unknown>;

/** Files: the certificate search as CSV, a certificate's PEM, the event export, compliance reports. */
@Controller('console')
export class ConsoleDownloadsController {
  constructor(
    private readonly sessions: ConsoleSessions,
    private readonly queries: AdminQueries,
    @Inject(ADMIN_SOURCES) private readonly rt: AdminSources,
  ) {}

  @Get('certificates.csv')
  csv(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'CSV' }, async () => {
      const f = pick(q, CERT_FILTERS);
      const rows: Array<Record<string, unknown>> = [];
      let cursor: string | undefined;
      do {
        const p = await this.queries.certificates(await dto(CertificateQuery, { ...f, cursor, limit: 1000 }));
        rows.push(...p.items);
        cursor = p.next_cursor ?? undefined;
      } while (cursor && rows.length < CSV_MAX_ROWS);
      return download(reply, 'certificates.csv', 'text/csv; charset=utf-8', certificatesCsv(rows));
    });
  }

  @Get('certificates/:id/pem')
  pem(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    return handle(this.sessions, req, reply, { title: 'PEM' }, async () => {
      const h = await this.queries.history(`cert-${id}`);
      return download(reply, `${(h.state as CertificateState).serial}.pem`, 'application/pem-certificate-chain', chainPemOf(h.events));
    });
  }

  @Get('audit/export')
  export(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'Export' }, async () => {
      const p = await dto(PeriodQuery, pick(q, ['from', 'to'] as const));
      const range = { from: p.from ? new Date(p.from) : undefined, to: p.to ? new Date(p.to) : undefined };
      return download(reply, 'certledger-events.jsonl', 'application/jsonl; charset=utf-8', Readable.from(exportEvents(this.rt.store, range)));
    });
  }

  @Get('reports/compliance')
  report(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Q) {
    return handle(this.sessions, req, reply, { title: 'Compliance report' }, async () => {
      const r = await dto(ReportQuery, pick(q, ['from', 'to', 'format', 'section'] as const));
      const report = await complianceReport(this.rt.db.pool, this.rt.store, new Date(r.from), new Date(r.to));
      if (r.format === 'csv') return download(reply, `compliance-${r.section ?? 'issued'}.csv`, 'text/csv; charset=utf-8', reportCsv(report, r.section ?? 'issued'));
      return download(reply, 'compliance.json', 'application/json', JSON.stringify(report, null, 2));
    });
  }
}

import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

/** Every event, one row each, for the audit trail: who did what, when, from where, on which server. */
export const auditTrailProjection: Projection = {
  name: 'audit_trail',
  version: 1,
  handles: 'all',
  tables: ['rm_audit_trail'],
  async apply(e: CatalogEvent, tx: SqlTx) {
    const m = e.metadata ?? {};
    await tx.query(
      `INSERT INTO rm_audit_trail (position, event_id, stream_id, event_type, actor, source_ip, server_id, request_id, recorded_at, summary)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.position, e.eventId, e.streamId, e.type, m.actor ?? null, m.sourceIp ?? null, m.serverId ?? null, m.requestId ?? null, e.recordedAt, summarize(e)],
    );
  },
};

function summarize(e: CatalogEvent): string {
  const who = typeof e.metadata?.actor === 'string' ? e.metadata.actor : 'system';
  return `${who}: ${e.type} on ${e.streamId} (revision ${e.streamPosition})`;
}

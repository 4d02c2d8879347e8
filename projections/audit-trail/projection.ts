import { batchProjection, type CatalogEvent, type SqlTx, unnestRows } from '../../src/projection/projection';

const COLUMNS = {
  position: 'text',
  event_id: 'uuid',
  stream_id: 'text',
  event_type: 'text',
  actor: 'text',
  source_ip: 'text',
  server_id: 'text',
  request_id: 'text',
  recorded_at: 'timestamptz',
  summary: 'text',
};

/** Every event, one row each, for the audit trail: who did what, when, from where, on which server. */
export const auditTrailProjection = batchProjection({
  name: 'audit_trail',
  version: 1,
  handles: 'all',
  tables: ['rm_audit_trail'],
  // Each event is a new row: a batch is one INSERT, however many events it holds.
  async applyAll(events: CatalogEvent[], tx: SqlTx) {
    const rows = unnestRows(COLUMNS, events.map(row));
    await tx.query(`INSERT INTO rm_audit_trail (${rows.names}) SELECT ${rows.names} FROM ${rows.from}`, rows.params);
  },
});

function row(e: CatalogEvent): unknown[] {
  const m = e.metadata ?? {};
  return [e.position, e.eventId, e.streamId, e.type, m.actor ?? null, m.sourceIp ?? null, m.serverId ?? null, m.requestId ?? null, e.recordedAt, summarize(e)];
}

function summarize(e: CatalogEvent): string {
  const who = typeof e.metadata?.actor === 'string' ? e.metadata.actor : 'system';
  return `${who}: ${e.type} on ${e.streamId} (revision ${e.streamPosition})`;
}

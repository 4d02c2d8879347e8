import type { Db } from '../../src/db/db';

/** Filters of the audit trail search; `problem` matches the ACME problem type an event recorded. */
export interface AuditSearch {
  actor?: string;
  type?: string;
  stream?: string;
  from?: Date | string;
  to?: Date | string;
  problem?: string;
}

/** One page of the audit trail in recording order, after the (recorded_at, event_id) cursor when given. */
export async function searchAuditTrail(db: Db, f: AuditSearch, after: readonly unknown[] | null, limit: number): Promise<Array<Record<string, unknown>>> {
  // The problem filter looks into the event itself: the trail keeps who and when, not the payload.
  const r = await db.query(
    `SELECT recorded_at, event_type, stream_id, actor, source_ip, server_id, request_id, summary, event_id FROM rm_audit_trail
     WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR event_type = $2) AND ($3::text IS NULL OR stream_id = $3)
       AND ($4::timestamptz IS NULL OR recorded_at >= $4) AND ($5::timestamptz IS NULL OR recorded_at < $5)
       AND ($6::timestamptz IS NULL OR (recorded_at, event_id) > ($6, $7::uuid))
       AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM es_events e WHERE e.event_id = rm_audit_trail.event_id AND e.data->'error'->>'type' = $9))
     ORDER BY recorded_at, event_id LIMIT $8`,
    [f.actor ?? null, f.type ?? null, f.stream ?? null, f.from ?? null, f.to ?? null, after?.[0] ?? null, after?.[1] ?? '00000000-0000-0000-0000-000000000000', limit, f.problem ?? null],
  );
  return r.rows;
}

import type { Pool } from 'pg';
import { type AccountState, evolveAccount } from '../domain/account';
import { type AuthorizationState, evolveAuthorization } from '../domain/authorization';
import { type CertificateState, evolveCertificate } from '../domain/certificate';
import { AcmeError } from '../domain/errors';
import { assertKnownEvent, type DomainEvent } from '../domain/events';
import { evolveOrder, type OrderState } from '../domain/order';
import type { EventStore, StoredEvent } from '../eventstore/event-store';
import { ORDER_STATUS_SQL } from './admin-stats';
import type { AuditQuery, CertificateQuery, PageQuery } from './dto';

/**
 * Read side of the admin API: searches over the read models with cursor pagination, and the
 * event history of any aggregate, including its state at a past instant (replayed up to it).
 */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const encode = (v: unknown[]) => Buffer.from(JSON.stringify(v)).toString('base64url');
function decode(cursor: string | undefined, arity: number): unknown[] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity) return v;
  } catch {
    /* fall through */
  }
  throw new AcmeError('malformed', 'invalid cursor');
}

function page<T extends Record<string, unknown>>(rows: T[], limit: number, key: (row: T) => unknown[]): Page<T> {
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? encode(key(items[items.length - 1])) : null };
}

export class AdminQueries {
  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
  ) {}

  async certificates(q: CertificateQuery, now = new Date()): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 50;
    const after = decode(q.cursor, 2);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.name) add('? = ANY(names)', q.name.toLowerCase());
    if (q.name_contains) add("EXISTS (SELECT 1 FROM unnest(names) n WHERE strpos(n, ?) > 0)", q.name_contains.toLowerCase());
    if (q.serial) add("ltrim(serial, '0') = ltrim(lower(?), '0')", q.serial);
    if (q.account) add('account_id = ?', q.account);
    if (q.status === 'revoked') where.push('revoked_at IS NOT NULL');
    if (q.status === 'valid') add('revoked_at IS NULL AND not_after > ?', now);
    if (q.status === 'expired') add('revoked_at IS NULL AND not_after <= ?', now);
    if (q.expiring_before) add('not_after < ?', q.expiring_before);
    if (q.issued_after) add('issued_at >= ?', q.issued_after);
    if (q.issued_before) add('issued_at < ?', q.issued_before);
    if (after) {
      params.push(after[0], after[1]);
      where.push(`(issued_at, certificate_id) > ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(limit + 1);
    const r = await this.pool.query(
      `SELECT certificate_id, serial, account_id, order_id, names, not_before, not_after, fingerprint_sha256, key_type, issued_at, revoked_at, revocation_reason
       FROM rm_certificates ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY issued_at, certificate_id LIMIT $${params.length}`,
      params,
    );
    return page(r.rows, limit, (row) => [(row.issued_at as Date).toISOString(), row.certificate_id]);
  }

  async accounts(q: PageQuery & { status?: string }): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 50;
    const after = decode(q.cursor, 2);
    const r = await this.pool.query(
      `SELECT account_id, thumbprint, status, contact, eab_key_id, created_at, updated_at FROM rm_accounts
       WHERE ($1::timestamptz IS NULL OR (created_at, account_id) > ($1, $2)) ORDER BY created_at, account_id LIMIT $3`,
      [after?.[0] ?? null, after?.[1] ?? '', limit + 1],
    );
    return page(r.rows, limit, (row) => [(row.created_at as Date).toISOString(), row.account_id]);
  }

  async orders(q: PageQuery & { account?: string; status?: string }, now = new Date()): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 50;
    const after = decode(q.cursor, 2);
    const r = await this.pool.query(
      `SELECT * FROM (SELECT o.order_id, o.account_id, o.identifiers, o.authorization_ids, o.expires, o.created_at, o.finalized_at, o.certificate_id, o.failed,
         ${ORDER_STATUS_SQL} AS status FROM rm_orders o) o
       WHERE ($2::text IS NULL OR account_id = $2) AND ($3::timestamptz IS NULL OR (created_at, order_id) > ($3, $4)) AND ($6::text IS NULL OR status = $6)
       ORDER BY created_at, order_id LIMIT $5`,
      [now, q.account ?? null, after?.[0] ?? null, after?.[1] ?? '', limit + 1, q.status ?? null],
    );
    return page(r.rows, limit, (row) => [(row.created_at as Date).toISOString(), row.order_id]);
  }

  async authorizations(q: PageQuery & { account?: string; identifier?: string; status?: string }): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 50;
    const after = decode(q.cursor, 2);
    const r = await this.pool.query(
      `SELECT authz_id, account_id, identifier, wildcard, status, expires, validated_at, created_at FROM rm_authorizations
       WHERE ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR identifier = lower($2)) AND ($3::text IS NULL OR status = $3)
         AND ($4::timestamptz IS NULL OR (created_at, authz_id) > ($4, $5))
       ORDER BY created_at, authz_id LIMIT $6`,
      [q.account ?? null, q.identifier ?? null, q.status ?? null, after?.[0] ?? null, after?.[1] ?? '', limit + 1],
    );
    return page(r.rows, limit, (row) => [(row.created_at as Date).toISOString(), row.authz_id]);
  }

  async audit(q: AuditQuery): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 100;
    const after = decode(q.cursor, 2);
    const r = await this.pool.query(
      `SELECT recorded_at, event_type, stream_id, actor, source_ip, server_id, request_id, summary, event_id FROM rm_audit_trail
       WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR event_type = $2) AND ($3::text IS NULL OR stream_id = $3)
         AND ($4::timestamptz IS NULL OR recorded_at >= $4) AND ($5::timestamptz IS NULL OR recorded_at < $5)
         AND ($6::timestamptz IS NULL OR (recorded_at, event_id) > ($6, $7::uuid))
         AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM es_events e WHERE e.event_id = rm_audit_trail.event_id AND e.data->'error'->>'type' = $9))
       ORDER BY recorded_at, event_id LIMIT $8`,
      [q.actor ?? null, q.type ?? null, q.stream ?? null, q.from ?? null, q.to ?? null, after?.[0] ?? null, after?.[1] ?? '00000000-0000-0000-0000-000000000000', limit + 1, q.problem ?? null],
    );
    return page(r.rows, limit, (row) => [(row.recorded_at as Date).toISOString(), row.event_id]);
  }

  /** Every event of a stream with its metadata, and the aggregate's state at `at` (default: now). */
  async history(streamId: string, at?: Date): Promise<{ stream: string; events: StoredEvent[]; state_at: string; state: unknown }> {
    const events = await this.store.readStream(streamId);
    if (events.length === 0) throw new AcmeError('malformed', `no stream ${streamId}`, [], { reason: { kind: 'notFound' } });
    const until = at ?? new Date();
    const upTo = events.filter((e) => e.recordedAt <= until);
    return { stream: streamId, events, state_at: until.toISOString(), state: replay(streamId, upTo) };
  }
}

function replay(streamId: string, events: StoredEvent[]): unknown {
  const domain = events.map((e) => {
    assertKnownEvent(e.type);
    return { event: { type: e.type, data: e.data } as DomainEvent, at: e.recordedAt };
  });
  const fold = <S>(evolve: (s: S | null, e: DomainEvent, at: Date) => S | null) => domain.reduce<S | null>((s, x) => evolve(s, x.event, x.at), null);
  if (streamId.startsWith('account-key-')) return { events: domain.length };
  if (streamId.startsWith('account-')) return fold<AccountState>(evolveAccount);
  if (streamId.startsWith('order-')) return fold<OrderState>(evolveOrder);
  if (streamId.startsWith('authz-')) return fold<AuthorizationState>(evolveAuthorization);
  if (streamId.startsWith('cert-')) {
    const s = fold<CertificateState>(evolveCertificate);
    return s && { ...s, chainPem: undefined };
  }
  return { events: domain.length };
}

import { listAccounts } from '../../projections/accounts/queries';
import { searchAuditTrail } from '../../projections/audit-trail/queries';
import { searchAuthorizations } from '../../projections/authorizations/queries';
import { type CertificateSearch, searchCertificates } from '../../projections/certificates/queries';
import { searchOrders } from '../../projections/orders/queries';
import type { Db } from '../db/db';
import { type AccountState, evolveAccount } from '../domain/account';
import { type AuthorizationState, evolveAuthorization } from '../domain/authorization';
import { type CertificateState, evolveCertificate } from '../domain/certificate';
import { AcmeError } from '../domain/errors';
import { assertKnownEvent, type DomainEvent } from '../domain/events';
import { evolveOrder, type OrderState } from '../domain/order';
import type { EventStore, StoredEvent } from '../eventstore/event-store';
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
    private readonly pool: Db,
    private readonly store: EventStore,
  ) {}

  async certificates(q: CertificateQuery, now = new Date()): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 50;
    const filters: CertificateSearch = {
      name: q.name,
      nameContains: q.name_contains,
      serial: q.serial,
      account: q.account,
      status: q.status as CertificateSearch['status'],
      expiringBefore: q.expiring_before,
      issuedAfter: q.issued_after,
      issuedBefore: q.issued_before,
    };
    const rows = await searchCertificates(this.pool, filters, decode(q.cursor, 2), limit + 1, now);
    return page(rows, limit, (row) => [(row.issued_at as Date).toISOString(), row.certificate_id]);
  }

  async accounts(q: PageQuery & { status?: string }): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 50;
    const rows = await listAccounts(this.pool, decode(q.cursor, 2), limit + 1);
    return page(rows, limit, (row) => [(row.created_at as Date).toISOString(), row.account_id]);
  }

  async orders(q: PageQuery & { account?: string; status?: string }, now = new Date()): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 50;
    const rows = await searchOrders(this.pool, { account: q.account, status: q.status }, decode(q.cursor, 2), limit + 1, now);
    return page(rows, limit, (row) => [(row.created_at as Date).toISOString(), row.order_id]);
  }

  async authorizations(q: PageQuery & { account?: string; identifier?: string; status?: string }): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 50;
    const rows = await searchAuthorizations(this.pool, { account: q.account, identifier: q.identifier, status: q.status }, decode(q.cursor, 2), limit + 1);
    return page(rows, limit, (row) => [(row.created_at as Date).toISOString(), row.authz_id]);
  }

  async audit(q: AuditQuery): Promise<Page<Record<string, unknown>>> {
    const limit = q.limit ?? 100;
    const filters = { actor: q.actor, type: q.type, stream: q.stream, from: q.from, to: q.to, problem: q.problem };
    const rows = await searchAuditTrail(this.pool, filters, decode(q.cursor, 2), limit + 1);
    return page(rows, limit, (row) => [(row.recorded_at as Date).toISOString(), row.event_id]);
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

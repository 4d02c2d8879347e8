import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { StatementBatch } from '../../src/db/statement-batch';
import type { StoredEvent } from '../../src/eventstore/event-store';
import type { CatalogEvent, Projection } from '../../src/projection/projection';
import { applyInline, ProjectionRunner } from '../../src/projection/projection-runner';
import { ALL_PROJECTIONS } from '../../projections';
import { ordersProjection } from '../../projections/orders/projection';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';

/**
 * Order histories interleaved as a busy server writes them: several events of one order in one
 * batch, an update before its order's creation, values with quotes and backslashes, empty arrays.
 */
function mixedHistory(): StoredEvent[] {
  const events: StoredEvent[] = [];
  const revisions = new Map<string, number>();
  let seq = 0;
  const add = (streamId: string, type: string, data: unknown, metadata: Record<string, unknown> = { actor: 'account:a1', sourceIp: '192.0.2.9' }) => {
    const revision = revisions.get(streamId) ?? 0;
    revisions.set(streamId, revision + 1);
    seq++;
    events.push({
      eventId: randomUUID(),
      streamId,
      streamPosition: revision,
      position: `${1000 + Math.floor(seq / 3)}/${seq}`,
      type,
      schemaVersion: 1,
      data,
      metadata,
      recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq, seq)),
    });
  };
  const created = (id: string, extra: Record<string, unknown> = {}) =>
    add(`order-${id}`, 'OrderCreated', {
      orderId: id,
      accountId: `acct-${id.length % 2}`,
      identifiers: [{ type: 'dns', value: `${id}.example.com` }],
      authorizationIds: [`z-${id}-1`, `z-${id}-2`],
      notBefore: null,
      notAfter: null,
      expires: '2026-02-01T00:00:00Z',
      ...extra,
    });
  add('order-late', 'OrderFinalizationRequested', { csr: 'x', names: ['late.example.com'], keyType: 'ec-p256' });
  created('o1');
  created('o2', { authorizationIds: [], replaces: { certificateId: 'c-old', certId: 'aa.bb' } });
  add('account-a1', 'AccountRegistered', { accountId: 'a1', thumbprint: 't1', jwk: { kty: 'EC' }, contact: [], eabKeyId: null }, {});
  add('order-o1', 'OrderFinalizationRequested', { csr: 'x', names: ['o1.example.com'], keyType: 'ec-p256' });
  created('o3', { identifiers: [{ type: 'dns', value: `it's\\here.example.com` }] });
  add('order-o1', 'OrderCertificateIssued', { certificateId: 'c1', serial: '01' }, { actor: `o'brien\\admin`, requestId: 'r-1' });
  add('order-o2', 'OrderFailed', { error: { type: 'urn:ietf:params:acme:error:serverInternal', detail: 'CA refused' } });
  created('late');
  add('order-o3', 'OrderFinalizationRequested', { csr: 'x', names: ['o3.example.com'], keyType: 'ec-p256' });
  add('order-o3', 'OrderFinalizationRequested', { csr: 'y', names: ['o3.example.com'], keyType: 'ec-p256' });
  add('order-o3', 'OrderExpired', { expires: '2026-02-01T00:00:00Z' });
  for (let i = 4; i < 40; i++) {
    created(`o${i}`);
    if (i % 3 === 0) add(`order-o${i - 2}`, 'OrderFinalizationRequested', { csr: 'x', names: [], keyType: 'rsa-2048' });
    if (i % 4 === 0) add(`order-o${i - 3}`, 'OrderCertificateIssued', { certificateId: `c${i}`, serial: `${i}` });
  }
  return events;
}

async function dump(client: PoolClient, tables: readonly string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of tables) out[t] = (await client.query(`SELECT to_jsonb(t)::text AS row FROM ${t} t ORDER BY 1`)).rows.map((r) => r.row);
  return out;
}

/** The rows `write` leaves in the projection's tables, rolled back afterwards. */
async function rowsAfter(fx: PgStoreFixture, p: Projection, write: (client: PoolClient) => Promise<void>) {
  const client = await fx.pool.connect();
  try {
    await client.query('BEGIN');
    await write(client);
    return await dump(client, p.tables);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

describe('batch projections', () => {
  let fx: PgStoreFixture;
  beforeAll(async () => {
    fx = await createPgStore('batch_projections');
  });
  afterAll(async () => fx.dispose());

  test('a batch leaves the same rows as its events one at a time, whole or split, inline or not', async () => {
    const events = mixedHistory();
    const batchProjections = ALL_PROJECTIONS.filter((p) => p.applyAll);
    expect(batchProjections.map((p) => p.name).sort()).toEqual(['audit_trail', 'event_counts', 'orders']);
    for (const p of batchProjections) {
      const mine = events.filter((e) => p.handles === 'all' || p.handles.includes(e.type)) as CatalogEvent[];
      const oneByOne = await rowsAfter(fx, p, async (c) => {
        for (const e of mine) await p.apply(e, c);
      });
      expect(Object.values(oneByOne)[0].length).toBeGreaterThan(3);
      expect(await rowsAfter(fx, p, (c) => p.applyAll!(mine, c))).toEqual(oneByOne);
      expect(
        await rowsAfter(fx, p, async (c) => {
          for (let i = 0; i < mine.length; i += 7) await p.applyAll!(mine.slice(i, i + 7), c);
        }),
      ).toEqual(oneByOne);
      // An append's inline share: recorded on a deferred batch as literals, sent in one go.
      expect(
        await rowsAfter(fx, p, async (c) => {
          const deferred = new StatementBatch();
          await applyInline([{ ...p, inline: true }])(deferred, events);
          await deferred.flush(c);
        }),
      ).toEqual(oneByOne);
    }
    const orderEvents = events.filter((e) => e.streamId.startsWith('order-')) as CatalogEvent[];
    const orders = await rowsAfter(fx, ordersProjection, (c) => ordersProjection.applyAll!(orderEvents, c));
    const o3 = orders.rm_orders.map((r) => JSON.parse(r)).find((r) => r.order_id === 'o3');
    expect(o3).toMatchObject({ failed: true, identifiers: [{ type: 'dns', value: `it's\\here.example.com` }] });
    expect(o3.finalized_at).not.toBeNull();
    const late = orders.rm_orders.map((r) => JSON.parse(r)).find((r) => r.order_id === 'late');
    expect(late.finalized_at).toBeNull(); // its finalization came before it existed, as one by one
  });

  test('a failing batch is replayed one event at a time, so the failure names the event', async () => {
    const runner = new ProjectionRunner({ store: fx.store, pool: fx.pool, projections: [ordersProjection], batchSize: 100 });
    await runner.prepare();
    // Two creations of one order id: the second breaks the primary key.
    const order = {
      type: 'OrderCreated',
      data: { orderId: 'dup', accountId: 'a', identifiers: [], authorizationIds: [], notBefore: null, notAfter: null, expires: '2026-02-01T00:00:00Z' },
    };
    await fx.store.append(`order-${randomUUID()}`, [order], 'no_stream');
    const second = await fx.store.append(`order-${randomUUID()}`, [order], 'no_stream');
    expect(await runner.step(ordersProjection)).toBe('failed');
    const [state] = await runner.status();
    expect(state.status).toBe('failed');
    expect(state.errorPosition).toBe(second.position);
    expect(state.error).toMatch(/duplicate key/);
  });
});

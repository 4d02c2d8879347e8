import { EventChainer, extendChain, verifyChain } from '../../src/eventstore/postgres/event-chain';
import { NOTIFY_CHANNEL, PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';

/** The stored hash chain: follows the feed's order under concurrent writers, and finds tampering at its exact position. */
describe('event hash chain', () => {
  let fx: PgStoreFixture;

  beforeAll(async () => {
    fx = await createPgStore('event_chain');
  });
  afterAll(async () => {
    await fx?.dispose();
  });

  const append = (stream: string, n = 1) =>
    fx.store.append(stream, Array.from({ length: n }, (_, i) => ({ type: 'MaintenanceModeChanged', data: { enabled: i % 2 === 0, reason: `r${i}` }, metadata: { actor: 'test' } })), 'no_stream');

  test('16 concurrent writers and two chainers: every event chained once, in the order readers see', async () => {
    const chainers = [new EventChainer(fx.pool, { pollIntervalMs: 20, coalesceMs: 1 }), new EventChainer(fx.pool, { pollIntervalMs: 20, coalesceMs: 1 })];
    chainers.forEach((c) => c.start());
    await Promise.all(Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; i < 25; i++) {
        await append(`chain-${w}-${i}`, 1 + (i % 3));
        chainers[w % 2].wake();
      }
    }));
    await Promise.all(chainers.map((c) => c.stop()));
    await extendChain(fx.pool);
    const total = Number((await fx.pool.query('SELECT count(*) FROM es_events')).rows[0].count);
    expect(Number((await fx.pool.query('SELECT count(*) FROM es_event_chain')).rows[0].count)).toBe(total);
    const order = await fx.pool.query(`SELECT e.global_position FROM es_events e ORDER BY e.transaction_id, e.global_position`);
    const chained = await fx.pool.query(`SELECT global_position FROM es_event_chain ORDER BY chained_at, transaction_id, global_position`);
    expect(chained.rows.map((r) => r.global_position)).toEqual(order.rows.map((r) => r.global_position));
    const report = await verifyChain(fx.pool);
    expect(report).toMatchObject({ checked: total, unchained: 0, break: null });
  });

  test("another instance's append is chained when its notification arrives, not at the next poll", async () => {
    // Polls every 10 minutes: only a wake-up can chain within this test. Wired to the feed as boot wires it.
    const chainer = new EventChainer(fx.pool, { pollIntervalMs: 600_000, coalesceMs: 1 });
    chainer.start();
    let heard = 0;
    const unwatch = fx.store.onAppend(() => {
      heard++;
      chainer.wake();
    });
    // Another instance's store: it wakes nobody in this process; that instance's NOTIFY is sent below.
    const other = new PostgresEventStore({ pool: fx.pool });
    const count = async (table: string) => Number((await fx.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
    const chained = async (ms = 15_000) => {
      const end = Date.now() + ms;
      while ((await count('es_event_chain')) < (await count('es_events'))) {
        if (Date.now() > end) throw new Error('not chained in time');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      // The feed's LISTEN connection is up once a notification from elsewhere gets through.
      await fx.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, 'warm-up']);
      const end = Date.now() + 15_000;
      while (heard === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await chained();
      await other.append('notified-1', [{ type: 'MaintenanceModeChanged', data: { enabled: true, reason: 'n' }, metadata: { actor: 'test' } }], 'no_stream');
      await other.close();
      await fx.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, 'another-process']);
      await chained();
      expect((await verifyChain(fx.pool)).unchained).toBe(0);
    } finally {
      unwatch();
      await chainer.stop();
    }
  });

  test('an event changed by the owner (triggers bypassed) is found at its exact position', async () => {
    await append('tamper-a', 3);
    await append('tamper-b', 2);
    await extendChain(fx.pool);
    const victim = (await fx.pool.query(`SELECT transaction_id::text AS xid, global_position::text AS seq FROM es_events WHERE stream_id = 'tamper-a' AND stream_position = 1`)).rows[0];
    const client = await fx.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(`UPDATE es_events SET data = jsonb_set(data, '{reason}', '"rewritten"') WHERE stream_id = 'tamper-a' AND stream_position = 1`);
      await client.query('COMMIT');
      const r = await verifyChain(fx.pool);
      expect(r.break).toEqual({ position: `${victim.xid}/${victim.seq}`, globalPosition: victim.seq, reason: expect.stringMatching(/does not match the event/) });
      // Put it back; then remove an event instead.
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(`UPDATE es_events SET data = jsonb_set(data, '{reason}', '"r1"') WHERE stream_id = 'tamper-a' AND stream_position = 1`);
      await client.query('COMMIT');
      expect((await verifyChain(fx.pool)).break).toBeNull();
      const gone = (await fx.pool.query(`SELECT transaction_id::text AS xid, global_position::text AS seq FROM es_events WHERE stream_id = 'tamper-b' AND stream_position = 0`)).rows[0];
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(`DELETE FROM es_events WHERE stream_id = 'tamper-b' AND stream_position = 0`);
      await client.query('COMMIT');
      expect((await verifyChain(fx.pool)).break).toMatchObject({ position: `${gone.xid}/${gone.seq}`, reason: expect.stringMatching(/missing/) });
    } finally {
      client.release();
    }
  });
});

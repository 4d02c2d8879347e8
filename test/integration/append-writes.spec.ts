import { Pool } from 'pg';
import { WrongExpectedRevisionError } from '../../src/eventstore/event-store';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';

/** A pool that counts what is sent through it: each query() is one round trip. */
class CountingPool extends Pool {
  sent = 0;
  override query(...args: unknown[]): any {
    this.sent++;
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}

/**
 * The writes that commit with an append (inline read models, job rows) are built from the events
 * as they will be stored and travel with the append in its one round trip; whatever fails, events
 * and writes commit together or not at all.
 */
describe('writes that travel with an append', () => {
  let fx: PgStoreFixture;
  let pool: CountingPool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    fx = await createPgStore('append-writes');
    pool = new CountingPool({ connectionString: fx.db.url, max: 4 });
    store = new PostgresEventStore({ pool });
    await fx.pool.query('CREATE TABLE seen (event_id uuid PRIMARY KEY, stream_id text, stream_position int, recorded_at timestamptz)');
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await pool.end();
    await fx.dispose();
  });

  const record = async (writes: { query(t: string, p?: unknown[]): Promise<unknown> }, events: Array<{ eventId: string; streamId: string; streamPosition: number; recordedAt: Date }>) => {
    for (const e of events) await writes.query('INSERT INTO seen (event_id, stream_id, stream_position, recorded_at) VALUES ($1, $2, $3, $4)', [e.eventId, e.streamId, e.streamPosition, e.recordedAt]);
  };

  test('events and their writes reach the database in one round trip, with the ids, positions and time they are stored with', async () => {
    const before = pool.sent;
    const [a, b] = await store.appendMulti(
      [
        { streamId: 'w-1', expectedRevision: 'no_stream', events: [{ type: 'T', data: { n: 1 } }, { type: 'T', data: { n: 2 } }] },
        { streamId: 'w-2', expectedRevision: 'no_stream', events: [{ type: 'T', data: { n: 3 } }] },
      ],
      { inTransaction: record },
    );
    expect(pool.sent - before).toBe(1);
    const stored = [...a.events, ...b.events].map((e) => ({ event_id: e.eventId, stream_id: e.streamId, stream_position: e.streamPosition, recorded_at: e.recordedAt }));
    const seen = (await fx.pool.query('SELECT event_id, stream_id, stream_position, recorded_at FROM seen WHERE stream_id LIKE $1 ORDER BY stream_id, stream_position', ['w-%'])).rows;
    expect(seen).toEqual(stored);
    const [next] = await store.appendMulti([{ streamId: 'w-1', expectedRevision: 1, events: [{ type: 'T', data: { n: 4 } }] }], { inTransaction: record });
    expect((await fx.pool.query('SELECT stream_position FROM seen WHERE event_id = $1', [next.events[0].eventId])).rows).toEqual([{ stream_position: 2 }]);
  });

  test('a failing write leaves no event, and a revision conflict leaves no write', async () => {
    await expect(
      store.appendMulti([{ streamId: 'f-1', expectedRevision: 'no_stream', events: [{ type: 'T', data: {} }] }], {
        inTransaction: async (writes) => {
          await writes.query('INSERT INTO no_such_table (x) VALUES ($1)', [1]);
        },
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await store.streamRevision('f-1')).toBe(-1);

    await store.append('f-2', [{ type: 'T', data: {} }], 'no_stream');
    const conflict = store.appendMulti([{ streamId: 'f-2', expectedRevision: 'no_stream', events: [{ type: 'T', data: {} }] }], { inTransaction: record });
    await expect(conflict).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect((await fx.pool.query("SELECT count(*)::int AS n FROM seen WHERE stream_id = 'f-2'")).rows[0].n).toBe(0);
    expect(await store.streamRevision('f-2')).toBe(0);

    // The connection that carried the failures is clean: the next append on it commits.
    await store.appendMulti([{ streamId: 'f-1', expectedRevision: 'no_stream', events: [{ type: 'T', data: {} }] }], { inTransaction: record });
    expect((await fx.pool.query("SELECT count(*)::int AS n FROM seen WHERE stream_id = 'f-1'")).rows[0].n).toBe(1);
  });
});

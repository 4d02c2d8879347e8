import { Client, type Pool } from 'pg';
import { guardPool, isDatabaseUnavailable } from '../../src/db/pool-errors';
import { type AppendOptions, type AppendResult, type StoredEvent, WrongExpectedRevisionError } from '../../src/eventstore/event-store';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store';
import { testPool } from '../support/database';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';

const until = async (what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const xidOf = (r: AppendResult) => r.position.split('/')[0];
const probe = (n = 1) => Array.from({ length: n }, (_, i) => ({ type: 'Probe', data: { i } }));

/**
 * Group commit: appends that wait for a transaction while the store's are all in flight go
 * together in one, each still all or nothing with its own result. The store under test runs one
 * transaction at a time, and each test first takes that one with an append held on a stream
 * another connection has locked: what it appends meanwhile queues, and goes as one batch when the
 * lock is released.
 */
describe('group commit of concurrent appends', () => {
  let fx: PgStoreFixture;
  let pool: Pool;
  let store: PostgresEventStore;
  const announced: StoredEvent[][] = [];
  let n = 0;
  const stream = (name: string) => `gc-${++n}-${name}`;

  beforeAll(async () => {
    fx = await createPgStore('group-commit');
    // A test below ends a connection in the middle of a batch: guarded from its first client on,
    // as the server's pools are, the lost connection is that batch's error and never an uncaught one.
    pool = guardPool(testPool(fx.db.url), 'group-commit', () => undefined);
    store = new PostgresEventStore({ pool, maxTransactionsInFlight: 1, onAppended: (events) => announced.push(events) });
    await fx.pool.query('CREATE TABLE gc_marks (stream_id text NOT NULL)');
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await pool.end();
    await fx.dispose();
  });
  beforeEach(() => {
    announced.length = 0;
  });

  /** Locks a stream (its row created, uncommitted) from another connection. */
  async function hold(streamId: string): Promise<{ release(): Promise<void> }> {
    const c = new Client({ connectionString: fx.db.url });
    await c.connect();
    await c.query('BEGIN');
    await c.query('INSERT INTO es_streams (stream_id, version) VALUES ($1, 0)', [streamId]);
    return {
      release: async () => {
        await c.query('ROLLBACK');
        await c.end();
      },
    };
  }

  /** Backends of this database waiting for a lock. */
  async function waitingBackends(): Promise<number[]> {
    const r = await fx.pool.query(
      `SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE NOT l.granted AND a.datname = current_database()`,
    );
    return r.rows.map((row) => row.pid);
  }

  /**
   * Takes the store's one transaction with an append that waits on a locked stream; `queue` then
   * appends while it waits; the lock is released and everything settles.
   */
  async function whileBusy<T>(queue: () => Promise<T>[]): Promise<{ first: AppendResult; settled: PromiseSettledResult<T>[] }> {
    const blocker = stream('blocker');
    const lock = await hold(blocker);
    const first = store.append(blocker, probe(), 'any');
    await until('the first append to wait for the lock', async () => (await waitingBackends()).length > 0);
    const queued = queue();
    await lock.release();
    return { first: await first, settled: await Promise.allSettled(queued) };
  }

  const value = <T>(s: PromiseSettledResult<T>): T => {
    if (s.status === 'rejected') throw s.reason;
    return s.value;
  };
  const reason = (s: PromiseSettledResult<unknown>): unknown => (s.status === 'rejected' ? s.reason : undefined);
  /** Writes a row that must commit with the append, or not at all. */
  const mark = (streamId: string): AppendOptions => ({
    inTransaction: async (writes) => {
      await writes.query('INSERT INTO gc_marks (stream_id) VALUES ($1)', [streamId]);
    },
  });
  const marked = async (streams: string[]) =>
    (await fx.pool.query('SELECT stream_id FROM gc_marks WHERE stream_id = ANY($1) ORDER BY stream_id', [streams])).rows.map((r) => r.stream_id as string);

  test('appends to different streams that wait together commit in one transaction, each with its own result', async () => {
    const names = [stream('a'), stream('b'), stream('c'), stream('d'), stream('e')];
    const { first, settled } = await whileBusy(() => names.map((s, i) => store.append(s, probe(i + 1), 'no_stream')));
    const results = settled.map(value);
    const xids = new Set(results.map(xidOf));
    expect(xids.size).toBe(1);
    expect(xids.has(xidOf(first))).toBe(false);
    for (const [i, r] of results.entries()) {
      expect(r.nextExpectedRevision).toBe(i);
      expect(r.events.map((e) => e.streamId)).toEqual(Array(i + 1).fill(names[i]));
      expect((await store.readStream(names[i])).map((e) => e.eventId)).toEqual(r.events.map((e) => e.eventId));
    }
    // Subscribers hear of the batch once, with all its events in feed order.
    expect(announced.map((a) => a.length)).toEqual([1, 15]);
    const positions = announced[1].map((e) => e.position);
    expect([...positions].sort(store.comparePositions)).toEqual(positions);
  });

  test('without a lock in the way, concurrent writers still share transactions', async () => {
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => fx.store.append(stream(`w${i}`), probe(), 'no_stream')));
    expect(new Set(results.map(xidOf)).size).toBeLessThan(16);
  });

  test('a conflict fails its own append only; the others of the batch commit', async () => {
    const existing = stream('existing');
    await store.append(existing, probe(2), 'no_stream');
    const [a, b, multi] = [stream('a'), stream('b'), stream('multi')];
    const { settled } = await whileBusy<unknown>(() => [
      store.appendMulti([{ streamId: a, events: probe(), expectedRevision: 'no_stream' }], mark(a)),
      store.appendMulti([{ streamId: existing, events: probe(), expectedRevision: 5 }], mark(existing)),
      // Two streams: the first one's events are inserted before the second one's conflict; all of
      // the append goes.
      store.appendMulti([
        { streamId: multi, events: probe(), expectedRevision: 'no_stream' },
        { streamId: existing, events: probe(), expectedRevision: 0 },
      ]),
      store.append(b, probe(), 'no_stream'),
    ]);
    const conflict = reason(settled[1]);
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict).toMatchObject({ streamId: existing, expected: 5, actual: 1 });
    expect(reason(settled[2])).toMatchObject({ streamId: existing, expected: 0, actual: 1 });
    const [ra, rb] = [(value(settled[0]) as AppendResult[])[0], value(settled[3]) as AppendResult];
    // The writes of the append that lost go with it; those of the batch's others commit.
    expect(await marked([a, existing])).toEqual([a]);
    expect(xidOf(ra)).toBe(xidOf(rb));
    expect(await store.readStream(multi)).toEqual([]);
    expect(await store.streamRevision(multi)).toBe(-1);
    expect(await store.streamRevision(existing)).toBe(1);
    expect(await store.readStream(a)).toHaveLength(1);
    expect(await store.readStream(b)).toHaveLength(1);
  });

  test('two appends to one stream with the same expected revision in one batch: exactly one wins', async () => {
    const existing = stream('existing');
    await store.append(existing, probe(), 'no_stream');
    const created = stream('created');
    const { settled } = await whileBusy(() => [
      store.append(existing, [{ type: 'First', data: {} }], 0),
      store.append(existing, [{ type: 'Second', data: {} }], 0),
      store.append(created, [{ type: 'First', data: {} }], 'no_stream'),
      store.append(created, [{ type: 'Second', data: {} }], 'no_stream'),
    ]);
    const winners: AppendResult[] = [];
    for (const [s, pair] of [[existing, settled.slice(0, 2)], [created, settled.slice(2)]] as const) {
      const won = pair.filter((x) => x.status === 'fulfilled');
      const lost = pair.filter((x) => x.status === 'rejected').map(reason);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(WrongExpectedRevisionError);
      winners.push(value(won[0]));
      const winner = value(won[0]).events[0];
      const events = await store.readStream(s);
      expect(events[events.length - 1].eventId).toBe(winner.eventId);
      expect(events.filter((e) => e.type === 'First' || e.type === 'Second')).toHaveLength(1);
    }
    // Both races were run in one transaction.
    expect(xidOf(winners[0])).toBe(xidOf(winners[1]));
  });

  test('a failing write fails its own append and a throwing callback its own call; the others commit once', async () => {
    const [ok1, ok2, ok3, badWrite, badThrow] = ['ok1', 'ok2', 'ok3', 'bad-write', 'bad-throw'].map(stream);
    const one = (s: string) => [{ streamId: s, events: probe(), expectedRevision: 'no_stream' as const }];
    const { settled } = await whileBusy(() => [
      store.appendMulti(one(ok1), mark(ok1)),
      store.appendMulti(one(badWrite), { inTransaction: async (writes) => void (await writes.query('INSERT INTO gc_no_such_table VALUES (1)')) }),
      store.appendMulti(one(ok2), mark(ok2)),
      store.appendMulti(one(badThrow), {
        inTransaction: async () => {
          throw new Error('the read model refused');
        },
      }),
      store.appendMulti(one(ok3)),
    ]);
    expect(String(reason(settled[1]))).toMatch(/gc_no_such_table/);
    expect(String(reason(settled[3]))).toMatch(/the read model refused/);
    for (const i of [0, 2, 4]) expect(settled[i].status).toBe('fulfilled');
    for (const s of [badWrite, badThrow]) expect(await store.streamRevision(s)).toBe(-1);
    for (const s of [ok1, ok2, ok3]) expect(await store.readStream(s)).toHaveLength(1);
    expect(await marked([ok1, ok2, badWrite, badThrow])).toEqual([ok1, ok2].sort());
  });

  test('a batch whose connection is lost is not run again: each of its appends gets the error, none commits', async () => {
    const [blocker, a, b, held] = [stream('blocker'), stream('a'), stream('b'), stream('held')];
    const first = await hold(blocker);
    const second = await hold(held);
    try {
      const alone = store.append(blocker, probe(), 'any');
      await until('the first append to wait for the lock', async () => (await waitingBackends()).length === 1);
      const batch = Promise.allSettled([store.append(a, probe(), 'no_stream'), store.append(held, probe(), 'any'), store.append(b, probe(), 'no_stream')]);
      await first.release();
      await alone;
      // The batch is in: a's events are written, and it waits on the held stream.
      let pid = 0;
      await until('the batch to wait for the second lock', async () => {
        pid = (await waitingBackends())[0] ?? 0;
        return pid !== 0;
      });
      await fx.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      const settled = await batch;
      for (const s of settled) {
        expect(s.status).toBe('rejected');
        expect(isDatabaseUnavailable(reason(s))).toBe(true);
      }
    } finally {
      await second.release();
    }
    for (const s of [a, b, held]) expect(await store.streamRevision(s)).toBe(-1);
    // The store goes on: the next append commits.
    expect((await store.append(a, probe(), 'no_stream')).nextExpectedRevision).toBe(0);
  });
});

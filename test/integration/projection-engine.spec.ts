import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '../../src/eventstore/event-store';
import type { Projection, SqlTx } from '../../src/projection/projection';
import { ProjectionRunner } from '../../src/projection/projection-runner';
import { ALL_PROJECTIONS } from '../../projections';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';

/** A projection that counts events per stream, and can be told to fail on one event. */
function counterProjection(failOn?: { type: string }): Projection {
  return {
    name: 'test_counter',
    version: 1,
    handles: ['Counted', 'Poison'],
    tables: ['test_counter'],
    async apply(e: StoredEvent, tx: SqlTx) {
      if (failOn && e.type === failOn.type) throw new Error('cannot project this event');
      await tx.query(
        `INSERT INTO test_counter (stream_id, n, last_at) VALUES ($1, 1, $2)
         ON CONFLICT (stream_id) DO UPDATE SET n = test_counter.n + 1, last_at = $2`,
        [e.streamId, e.recordedAt],
      );
    },
  };
}

async function dumpTables(fx: PgStoreFixture, tables: readonly string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const r = await fx.pool.query(`SELECT to_jsonb(t)::text AS row FROM ${t} t ORDER BY 1`);
    out[t] = r.rows.map((x) => x.row);
  }
  return out;
}

describe('projection engine', () => {
  let fx: PgStoreFixture;
  beforeAll(async () => {
    fx = await createPgStore('projections');
    await fx.pool.query('CREATE TABLE test_counter (stream_id text PRIMARY KEY, n int NOT NULL, last_at timestamptz NOT NULL)');
  });
  afterAll(async () => fx.dispose());

  test('live-built and rebuilt read models are identical, for the test projection and every registered one', async () => {
    const projections = [counterProjection(), ...ALL_PROJECTIONS];
    const runner = new ProjectionRunner({ store: fx.store, pool: fx.pool, projections, batchSize: 50, pollIntervalMs: 50 });
    await runner.prepare();
    runner.start();
    let last = '';
    for (let i = 0; i < 300; i++) {
      const s = `stream-${i % 17}`;
      const r = await fx.store.append(s, [{ type: 'Counted', data: { i }, metadata: { actor: `account:${i % 3}`, sourceIp: '192.0.2.7', serverId: 'srv-a' } }], 'any');
      last = r.position;
    }
    await runner.waitFor(last, 20_000);
    await runner.stop();
    const tables = projections.flatMap((p) => p.tables);
    const live = await dumpTables(fx, tables);
    expect(live.test_counter).toHaveLength(17);
    expect(live.rm_audit_trail.length).toBeGreaterThanOrEqual(300);
    for (const p of projections) await runner.rebuild(p.name);
    expect(await dumpTables(fx, tables)).toEqual(live);
    const status = await runner.status();
    expect(status.every((s) => s.lag === 0 && s.status === 'running')).toBe(true);
  }, 60_000);

  test('a projection that throws stops at the failing event with its error visible, and never skips it', async () => {
    const failing = { ...counterProjection({ type: 'Poison' }), name: 'test_failing' };
    const runner = new ProjectionRunner({ store: fx.store, pool: fx.pool, projections: [failing], pollIntervalMs: 50 });
    await runner.prepare();
    const stream = `poison-${randomUUID()}`;
    const before = await fx.store.append(stream, [{ type: 'Counted', data: {} }], 'no_stream');
    const poison = await fx.store.append(stream, [{ type: 'Poison', data: {} }], 0);
    await fx.store.append(stream, [{ type: 'Counted', data: {} }], 1);
    while ((await runner.step(failing)) === 'more');
    expect(await runner.step(failing)).toBe('failed');
    const [state] = await runner.status();
    expect(state.status).toBe('failed');
    expect(state.error).toContain('cannot project this event');
    expect(state.errorPosition).toBe(poison.position);
    // Everything before the poison event committed; the checkpoint did not pass it.
    expect(fx.store.comparePositions(state.position, poison.position)).toBeLessThan(0);
    expect(fx.store.comparePositions(state.position, before.position)).toBeLessThanOrEqual(0);
    await expect(runner.waitFor(poison.position, 1000)).rejects.toThrow(/stopped on an error/);
    // Still failed on the next attempt: it does not skip.
    await runner.resume('test_failing');
    expect(await runner.step(failing)).toBe('failed');
  });

  test('two runners (two instances) never apply the same batch twice', async () => {
    const p = { ...counterProjection(), name: 'test_pair', tables: ['test_pair'] };
    await fx.pool.query('CREATE TABLE test_pair (stream_id text PRIMARY KEY, n int NOT NULL, last_at timestamptz NOT NULL)');
    const proj: Projection = { ...p, apply: (e, tx) => tx.query(`INSERT INTO test_pair (stream_id, n, last_at) VALUES ($1, 1, $2) ON CONFLICT (stream_id) DO UPDATE SET n = test_pair.n + 1`, [e.streamId, e.recordedAt]).then(() => undefined) };
    const a = new ProjectionRunner({ store: fx.store, pool: fx.pool, projections: [proj], batchSize: 7, pollIntervalMs: 20 });
    const b = new ProjectionRunner({ store: fx.store, pool: fx.pool, projections: [proj], batchSize: 7, pollIntervalMs: 20 });
    await a.prepare();
    a.start();
    b.start();
    const stream = `pair-${randomUUID()}`;
    let last = '';
    for (let i = 0; i < 100; i++) last = (await fx.store.append(stream, [{ type: 'Counted', data: {} }], i - 1)).position;
    await a.waitFor(last, 20_000);
    await Promise.all([a.stop(), b.stop()]);
    const r = await fx.pool.query('SELECT n FROM test_pair WHERE stream_id = $1', [stream]);
    expect(r.rows[0].n).toBe(100);
  }, 60_000);
});

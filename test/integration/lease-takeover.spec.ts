import { StatementBatch } from '../../src/db/statement-batch';
import { Pool } from 'pg';
import { migrate } from '../../src/db/migrator';
import { JobQueue, QUEUES } from '../../src/jobs/job-queue';
import { LeaseKeeper } from '../../src/jobs/lease-takeover';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * An instance that stops heartbeating loses its claimed jobs to another instance after
 * takeover_after, long before their lease, and a job never runs on two instances at once.
 */
describe('lease takeover', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  const queues: JobQueue[] = [];
  const keepers: LeaseKeeper[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('leases');
    const p = new Pool({ connectionString: db.url, max: 2 });
    await migrate(p);
    await p.end();
  });
  afterAll(async () => {
    for (const k of keepers) await k.stop().catch(() => undefined);
    for (const q of queues) await q.stop(0).catch(() => undefined);
    for (const p of pools) await p.end().catch(() => undefined);
    await db.drop();
  });

  const until = async (cond: () => boolean | Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  /** Idle workers look for work every `pollIntervalMs`; a takeover wakes them, as boot wires it. */
  async function instance(name: string, pollIntervalMs = 500) {
    const pool = new Pool({ connectionString: db.url, max: 6, application_name: name });
    pool.on('error', () => undefined);
    pools.push(pool);
    const keeper = new LeaseKeeper({
      pool,
      serverId: '00000000-0000-4000-8000-000000000000',
      jobSchema: 'certledger_jobs',
      heartbeatMs: 200,
      takeoverAfterMs: 1500,
      onTakenOver: (names) => names.forEach((q) => jobs.wake(q)),
    });
    await keeper.register();
    keeper.start();
    keepers.push(keeper);
    // A lease of 10 minutes: only the takeover can hand the job out again within this test.
    const jobs = new JobQueue({ pool, leaseMs: 600_000, pollIntervalMs, claims: keeper });
    await jobs.start();
    queues.push(jobs);
    return { pool, keeper, jobs };
  }

  test('the job of a silent instance is taken over fast; never twice at the same time', async () => {
    const a = await instance('a');
    // B's idle workers look for work every 10 minutes: only the takeover's wake-up hands it the job in time.
    const b = await instance('b', 600_000);
    b.keeper.enableTakeover();
    a.keeper.enableTakeover();
    const runs: Array<{ on: string; start: number; end?: number }> = [];
    let releaseA: () => void = () => undefined;
    // A claims the job and hangs in it; B only ever sees it after a takeover.
    await a.jobs.work(QUEUES.issuance, 1, async () => {
      const run = { on: 'a', start: Date.now() } as { on: string; start: number; end?: number };
      runs.push(run);
      await new Promise<void>((r) => (releaseA = r));
      run.end = Date.now();
      throw new Error('the late run of the silent instance fails');
    });
    const client = await a.pool.connect();
    await client.query('BEGIN');
    await a.jobs.sendIn({ query: (t: string, v?: unknown[]) => client.query(t, v as never[]) } as never, QUEUES.issuance, { orderId: 'o1' }, 'issue-o1');
    await client.query('COMMIT');
    client.release();
    a.jobs.wake(QUEUES.issuance);
    await until(() => runs.length === 1);
    const claims = await a.pool.query('SELECT boot_id::text FROM job_leases');
    expect(claims.rows).toEqual([{ boot_id: a.keeper.bootId }]);

    await b.jobs.work(QUEUES.issuance, 1, async () => {
      const run = { on: 'b', start: Date.now() } as { on: string; start: number; end?: number };
      runs.push(run);
      await new Promise((r) => setTimeout(r, 300));
      run.end = Date.now();
    });
    // While A keeps heartbeating, its job stays with it.
    await new Promise((r) => setTimeout(r, 3000));
    expect(runs.map((r) => r.on)).toEqual(['a']);

    // A goes silent (its heartbeat stops as after kill -9); B takes the job over within seconds.
    const silentAt = Date.now();
    await a.keeper.stop({ unregister: false });
    await until(() => runs.length === 2);
    expect(runs[1].on).toBe('b');
    expect(runs[1].start - silentAt).toBeLessThan(15_000);
    await until(() => runs[1].end !== undefined);
    const state = async () => (await b.pool.query(`SELECT state FROM certledger_jobs.job WHERE name = $1`, [QUEUES.issuance])).rows[0].state;
    await until(async () => (await state()) === 'completed');

    // A's hung run ends late and fails: it must not put the job back in the queue.
    releaseA();
    await until(() => runs[0].end !== undefined);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await state()).toBe('completed');
    expect(runs.map((r) => r.on)).toEqual(['a', 'b']);
    expect((await b.pool.query('SELECT count(*)::int AS n FROM job_leases')).rows[0].n).toBe(0);
    // B works no validation jobs: the next test's takeover must be done by the instance watched there.
    await b.keeper.stop();
  });

  test('the safety-net job of in-process work is due at once when the instance doing the work falls silent', async () => {
    const e = await instance('e');
    const f = await instance('f', 600_000);
    f.keeper.enableTakeover();
    const ran: string[] = [];
    await f.jobs.work(QUEUES.validation, 1, async () => {
      ran.push('f');
    });
    // E records a validation request, with its safety-net job due in 10 minutes, and works on it in-process.
    const jobId = '00000000-0000-4000-8000-00000000e001';
    const tx = await e.pool.connect();
    await tx.query('BEGIN');
    const q = { query: (t: string, v?: unknown[]) => tx.query(t, v as never[]) } as never;
    await e.jobs.sendDelayedIn(q, QUEUES.validation, { authzId: 'a1' }, jobId, 600_000);
    await tx.query('COMMIT');
    tx.release();
    expect((await e.pool.query('SELECT boot_id::text FROM job_leases WHERE job_id = $1', [jobId])).rows).toEqual([{ boot_id: e.keeper.bootId }]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(ran).toEqual([]);
    // E dies before recording the work: F runs the safety-net job within seconds, not in 10 minutes.
    const silentAt = Date.now();
    await e.keeper.stop({ unregister: false });
    await until(() => ran.length === 1);
    expect(Date.now() - silentAt).toBeLessThan(15_000);
  });

  test('dropping a safety-net job with its work recorded drops its claim in the same transaction', async () => {
    const g = await instance('g');
    const jobId = '00000000-0000-4000-8000-00000000e002';
    const tx = await g.pool.connect();
    const q = { query: (t: string, v?: unknown[]) => tx.query(t, v as never[]) } as never;
    // As the write path does it: the claim and the drop are written with the COMMIT.
    await tx.query('BEGIN');
    const claim = new StatementBatch();
    await g.jobs.sendDelayedIn(claim, QUEUES.issuance, { orderId: 'o2' }, jobId, 600_000);
    await claim.flush(q);
    await tx.query('COMMIT');
    expect((await g.pool.query('SELECT boot_id::text FROM job_leases WHERE job_id = $1', [jobId])).rows).toEqual([{ boot_id: g.keeper.bootId }]);
    // The job row written as literals is the one pg-boss writes: queue defaults, due in ten minutes.
    const job = (
      await g.pool.query(
        `SELECT name, data, state, singleton_key, retry_limit, extract(epoch FROM start_after - created_on)::int AS due_in, extract(epoch FROM expire_in)::int AS lease
         FROM certledger_jobs.job WHERE id = $1`,
        [jobId],
      )
    ).rows;
    expect(job).toEqual([{ name: QUEUES.issuance, data: { orderId: 'o2' }, state: 'created', singleton_key: jobId, retry_limit: 5, due_in: 600, lease: expect.any(Number) }]);
    await tx.query('BEGIN');
    const drop = new StatementBatch();
    await g.jobs.dropIn(drop, QUEUES.issuance, jobId);
    await drop.flush(q);
    await tx.query('COMMIT');
    tx.release();
    expect((await g.pool.query('SELECT count(*)::int AS n FROM job_leases WHERE job_id = $1', [jobId])).rows[0].n).toBe(0);
    expect((await g.pool.query('SELECT count(*)::int AS n FROM certledger_jobs.job WHERE id = $1', [jobId])).rows[0].n).toBe(0);
  });

  test('a running job of a live instance is never taken over', async () => {
    const c = await instance('c');
    const d = await instance('d');
    c.keeper.enableTakeover();
    d.keeper.enableTakeover();
    let runs = 0;
    // Each run lasts longer than takeover_after: only a missed heartbeat could hand it out again.
    const handler = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 2500));
    };
    await c.jobs.work(QUEUES.email, 2, handler);
    await d.jobs.work(QUEUES.email, 2, handler);
    const tx = await c.pool.connect();
    await tx.query('BEGIN');
    for (let i = 0; i < 4; i++) await c.jobs.sendIn({ query: (t: string, v?: unknown[]) => tx.query(t, v as never[]) } as never, QUEUES.email, { n: i }, `v-${i}`);
    await tx.query('COMMIT');
    tx.release();
    const done = async () => (await c.pool.query(`SELECT count(*)::int AS n FROM certledger_jobs.job WHERE name = $1 AND state = 'completed'`, [QUEUES.email])).rows[0].n === 4;
    await until(done);
    expect(runs).toBe(4);
  });

  test('a backlog is drained at the full concurrency though only one idle worker per queue polls', async () => {
    // The earlier tests' workers would take jobs of this backlog too: only h works from here on.
    for (const q of queues) await q.stop(0);
    for (const k of keepers) await k.stop();
    const h = await instance('h');
    let running = 0;
    let most = 0;
    let done = 0;
    await h.jobs.work(QUEUES.issuance, 3, async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 300));
      running--;
      done++;
    });
    const tx = await h.pool.connect();
    await tx.query('BEGIN');
    for (let i = 0; i < 9; i++) await h.jobs.sendIn({ query: (t: string, v?: unknown[]) => tx.query(t, v as never[]) } as never, QUEUES.issuance, { orderId: `b${i}` }, `backlog-${i}`);
    await tx.query('COMMIT');
    tx.release();
    // No wake-up: the polling worker finds the first job, and each job found sends the next worker looking.
    await until(() => done === 9);
    expect(most).toBe(3);
  });
});

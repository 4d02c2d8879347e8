import { Pool } from 'pg';
import { runExclusive, Scheduler } from '../../src/jobs/scheduler';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** Periodic processors run on exactly one instance at a time, whatever the number of instances. */
describe('leader election for periodic work', () => {
  let db: TestDatabase;
  let pools: Pool[];
  beforeAll(async () => {
    db = await createTestDatabase('scheduler');
    pools = [new Pool({ connectionString: db.url, max: 3 }), new Pool({ connectionString: db.url, max: 3 })];
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  test('two instances ticking the same task never run it at the same time, and both get turns', async () => {
    const runs: Array<{ instance: number; start: number; end: number }> = [];
    let active = 0;
    let maxActive = 0;
    const task = (instance: number) => ({
      name: 'exclusive-test',
      intervalMs: 5,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        const start = Date.now();
        await new Promise((r) => setTimeout(r, 20));
        runs.push({ instance, start, end: Date.now() });
        active--;
      },
    });
    const schedulers = pools.map((p, i) => new Scheduler(p, [task(i)], (_t, e) => { throw e; }));
    schedulers.forEach((s) => s.start());
    while (runs.length < 40) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(schedulers.map((s) => s.stop()));
    expect(maxActive).toBe(1);
    const sorted = [...runs].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].start).toBeGreaterThanOrEqual(sorted[i - 1].end);
    expect(new Set(runs.map((r) => r.instance)).size).toBe(2);
  }, 60_000);

  test('while one instance holds the task the other skips', async () => {
    let release!: () => void;
    const held = runExclusive(pools[0], 'held', () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    expect(await runExclusive(pools[1], 'held', async () => 'ran')).toEqual({ ran: false });
    release();
    expect(await held).toEqual({ ran: true, value: undefined });
    expect(await runExclusive(pools[1], 'held', async () => 'ran')).toEqual({ ran: true, value: 'ran' });
  });
});

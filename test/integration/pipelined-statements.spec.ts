import { Client, Pool } from 'pg';
import { runPipelined } from '../../src/db/pipelined-statements';
import { PreparingClient } from '../../src/db/preparing-client';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * Statements that travel in one round trip as one transaction (the append and its writes): each
 * text prepared once per connection, all or nothing, and the connection clean whatever happens.
 */
describe('pipelined statements', () => {
  let db: TestDatabase;
  let client: PreparingClient;

  beforeAll(async () => {
    db = await createTestDatabase('pipelined');
    client = new PreparingClient({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE pl_rows (id int PRIMARY KEY, at timestamptz, note text)');
  }, 60_000);
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  const count = async (where = 'true') => Number((await client.query(`SELECT count(*)::int AS n FROM pl_rows WHERE ${where}`)).rows[0].n);
  const prepared = async () => (await client.query('SELECT statement FROM pg_prepared_statements')).rows.map((r: { statement: string }) => r.statement);
  const insert = (id: number, note = 'x') => ({ text: 'INSERT INTO pl_rows (id, at, note) VALUES ($1, $2, $3)', params: [id, new Date('2026-12-01T10:00:00.123Z'), note] });

  test('the first statement answers its rows, typed as a plain query types them; the rest only run', async () => {
    const rows = await runPipelined(client, [
      { text: 'SELECT $1::int + 1 AS n, $2::timestamptz AS at, $3::jsonb AS doc', params: [41, new Date('2026-12-01T10:00:00.123Z'), JSON.stringify({ a: [1] })] },
      insert(1),
      insert(2, "it's"),
    ]);
    expect(rows).toEqual([{ n: 42, at: new Date('2026-12-01T10:00:00.123Z'), doc: { a: [1] } }]);
    expect((await client.query('SELECT id, at, note FROM pl_rows ORDER BY id')).rows).toEqual([
      { id: 1, at: new Date('2026-12-01T10:00:00.123Z'), note: 'x' },
      { id: 2, at: new Date('2026-12-01T10:00:00.123Z'), note: "it's" },
    ]);
  });

  test('each text is prepared once per connection, however often it comes', async () => {
    const before = await prepared();
    await runPipelined(client, [insert(3), insert(4), insert(5)]);
    await runPipelined(client, [insert(6)]);
    const after = await prepared();
    expect(after.filter((t: string) => t.startsWith('INSERT INTO pl_rows'))).toHaveLength(1);
    expect(after.length - before.length).toBeLessThanOrEqual(1);
    expect(await count('id BETWEEN 3 AND 6')).toBe(4);
  });

  test('a failing statement rolls back the ones before it, skips the ones after, and leaves the connection idle', async () => {
    const before = await count();
    await expect(runPipelined(client, [insert(10), { text: 'INSERT INTO pl_rows (id) VALUES ($1)', params: [1] }, { text: 'UPDATE pl_rows SET note = $1 WHERE id = $2', params: ['later', 10] }])).rejects.toThrow(
      /duplicate key/,
    );
    expect(await count()).toBe(before);
    // The statement after the failure was never parsed: it is parsed next time, not assumed.
    await runPipelined(client, [insert(10), { text: 'UPDATE pl_rows SET note = $1 WHERE id = $2', params: ['later', 10] }]);
    expect((await client.query('SELECT note FROM pl_rows WHERE id = 10')).rows).toEqual([{ note: 'later' }]);
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  test('a statement that does not parse fails the pipeline and poisons no name', async () => {
    await expect(runPipelined(client, [insert(20), { text: 'INSERT INTO no_such_table (x) VALUES ($1)', params: [1] }])).rejects.toThrow(/no_such_table/);
    expect(await count('id = 20')).toBe(0);
    await client.query('CREATE TABLE no_such_table (x int)');
    await runPipelined(client, [insert(20), { text: 'INSERT INTO no_such_table (x) VALUES ($1)', params: [1] }]);
    expect(await count('id = 20')).toBe(1);
  });

  test('inside BEGIN the Sync ends nothing: the block decides, and COMMIT may travel last', async () => {
    await client.query('BEGIN');
    await runPipelined(client, [insert(30)]);
    await client.query('ROLLBACK');
    expect(await count('id = 30')).toBe(0);
    await client.query('BEGIN');
    await runPipelined(client, [insert(31), { text: 'COMMIT', params: [] }]);
    expect(await count('id = 31')).toBe(1);
  });

  test('a value that cannot be sent fails the pipeline before anything is written: inside BEGIN the block can still be rolled back', async () => {
    const unsendable = { n: 1n };
    await client.query('BEGIN');
    await runPipelined(client, [insert(40)]);
    await expect(runPipelined(client, [insert(41), { text: 'UPDATE pl_rows SET note = $1 WHERE id = $2', params: [unsendable, 40] }])).rejects.toThrow(/BigInt/);
    await client.query('ROLLBACK');
    expect(await count('id IN (40, 41)')).toBe(0);
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  test('through a pool: the connection goes back, and a connection killed mid-pipeline is an error, never a hang', async () => {
    const pool = new Pool({ connectionString: db.url, max: 1 });
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      expect(await runPipelined(pool, [{ text: 'SELECT $1::int AS n', params: [7] }])).toEqual([{ n: 7 }]);
      expect(pool.idleCount).toBe(1);
      const pid = (await pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const slow = runPipelined(pool, [{ text: 'SELECT pg_sleep($1)', params: [30] }]);
      for (let i = 0; i < 200; i++) {
        const r = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%'`, [pid]);
        if (r.rowCount) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await expect(slow).rejects.toThrow();
      expect(await runPipelined(pool, [{ text: 'SELECT $1::int AS n', params: [8] }])).toEqual([{ n: 8 }]);
    } finally {
      await admin.end();
      await pool.end();
    }
  }, 60_000);
});

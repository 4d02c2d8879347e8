import { MAX_PREPARED_PER_CONNECTION, PreparingClient } from '../../src/db/preparing-client';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** The server's connections prepare each parameterised statement once and run it by name after. */
describe('PreparingClient', () => {
  let db: TestDatabase;
  let client: PreparingClient;

  beforeAll(async () => {
    db = await createTestDatabase('preparing-client');
    client = new PreparingClient({ connectionString: db.url });
    await client.connect();
  }, 60_000);
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  const prepared = async () => (await client.query('SELECT name, statement FROM pg_prepared_statements ORDER BY name')).rows as { name: string; statement: string }[];

  test('a parameterised statement is prepared on first use and reused by name', async () => {
    expect(await prepared()).toEqual([]);
    expect((await client.query('SELECT $1::int + 1 AS n', [1])).rows).toEqual([{ n: 2 }]);
    expect((await client.query('SELECT $1::int + 1 AS n', [41])).rows).toEqual([{ n: 42 }]);
    const after = await prepared();
    expect(after).toEqual([{ name: 'cl0', statement: 'SELECT $1::int + 1 AS n' }]);
  });

  test('texts without parameters run as they are, several statements in one string included', async () => {
    const before = (await prepared()).length;
    const r = (await client.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as { rows: unknown[] }[];
    expect(r.map((x) => x.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
    expect(await prepared()).toHaveLength(before);
  });

  test('a statement that fails to prepare does not poison its name', async () => {
    await expect(client.query('SELECT $1::int FROM no_such_table', [1])).rejects.toThrow(/no_such_table/);
    await client.query('CREATE TABLE late_table (n int)');
    expect((await client.query('SELECT $1::int FROM no_such_table', [1]).catch((e: Error) => e.message))).toMatch(/no_such_table/);
    await client.query('INSERT INTO late_table VALUES ($1)', [5]);
    expect((await client.query('SELECT n FROM late_table WHERE n = $1', [5])).rows).toEqual([{ n: 5 }]);
  });

  test(`past ${MAX_PREPARED_PER_CONNECTION} distinct texts, new ones run unprepared and still answer`, async () => {
    for (let i = (await prepared()).length; i < MAX_PREPARED_PER_CONNECTION + 5; i++) {
      expect((await client.query(`SELECT $1::int + ${i} AS n`, [1])).rows).toEqual([{ n: 1 + i }]);
    }
    const full = (await prepared()).length;
    // The statement that failed to prepare above holds a name without a server-side statement.
    expect(full).toBeGreaterThanOrEqual(MAX_PREPARED_PER_CONNECTION - 1);
    expect(full).toBeLessThanOrEqual(MAX_PREPARED_PER_CONNECTION);
    expect((await client.query('SELECT $1::int * 3 AS n', [3])).rows).toEqual([{ n: 9 }]);
    expect((await prepared()).length).toBe(full);
  }, 60_000);
});

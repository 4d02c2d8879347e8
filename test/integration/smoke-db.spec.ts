import { createTestDatabase, testPool } from '../support/database';

test('a fresh test database answers', async () => {
  const db = await createTestDatabase('smoke');
  const pool = testPool(db.url);
  const r = await pool.query('select current_database() as name, version() as v');
  expect(r.rows[0].name).toBe(db.name);
  await pool.end();
  await db.drop();
});

import { Pool } from 'pg';
import { migrate } from '../../src/db/migrator';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store';
import { createTestDatabase, type TestDatabase } from './database';

/** A migrated fresh database with a PostgreSQL event store over it. */
export interface PgStoreFixture {
  db: TestDatabase;
  pool: Pool;
  store: PostgresEventStore;
  dispose(): Promise<void>;
}

export async function createPgStore(label: string, poolMax = 20): Promise<PgStoreFixture> {
  const db = await createTestDatabase(label);
  const pool = new Pool({ connectionString: db.url, max: poolMax });
  // Dropping the test database terminates whatever connection is still idle: not a test failure.
  pool.on('error', () => undefined);
  await migrate(pool);
  const store = new PostgresEventStore({ pool, listenUrl: db.url, pollIntervalMs: 200 });
  return {
    db,
    pool,
    store,
    dispose: async () => {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}

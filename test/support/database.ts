import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { assertTestDatabaseUrl } from './test-database-name';

/**
 * A fresh, empty database for one test file on the run's PostgreSQL server (embedded or
 * TEST_DATABASE_URL). Dropped by `drop()`.
 */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.CERTLEDGER_TEST_SERVER_URL;
  if (!url) throw new Error('CERTLEDGER_TEST_SERVER_URL is not set: run tests through jest (test/support/global-setup.ts)');
  return url;
}

export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const base = serverUrl();
  const name = `certledger_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  assertTestDatabaseUrl(url);
  return {
    url,
    name,
    drop: async () => {
      const c = new Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function testPool(url: string, max = 10): Pool {
  assertTestDatabaseUrl(url);
  const pool = new Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

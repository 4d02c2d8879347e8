import { join } from 'node:path';
import { readdir, rm } from 'node:fs/promises';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { assertTestDatabaseUrl } from './test-database-name';

/**
 * One PostgreSQL server for the whole run: TEST_DATABASE_URL when set (its database name must
 * mark it as a test database), otherwise an embedded server under .test-pg/. Each test file then
 * creates its own fresh database on it (see database.ts).
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    assertTestDatabaseUrl(adminUrl);
    const probe = new Client({ connectionString: adminUrl });
    await probe.connect().catch((e) => {
      throw new Error(`TEST_DATABASE_URL is not reachable: ${e.message}`);
    });
    await probe.end();
  } else {
    // One cluster per run, so parallel runs on one machine never share (or stop) each other's server.
    const dir = join(__dirname, '..', '..', '.test-pg', `run-${process.pid}`);
    await removeStaleRuns(join(__dirname, '..', '..', '.test-pg'));
    const handle = await startEmbeddedPostgres({ dir, database: 'certledger_test' });
    (globalThis as Record<string, unknown>).__certledgerTestPgDir = dir;
    (globalThis as Record<string, unknown>).__certledgerTestPg = handle;
    adminUrl = handle.url;
  }
  process.env.CERTLEDGER_TEST_SERVER_URL = adminUrl;
}

/** Clusters of runs whose process is gone (killed runs) are deleted. */
async function removeStaleRuns(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await rm(join(root, entry), { recursive: true, force: true });
    }
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { migrate } from '../../src/db/migrator';

/**
 * A fresh database for one benchmark run: on BENCH_DATABASE_URL's server when set (a new database
 * named certledger_bench_*), else on an embedded PostgreSQL in a temporary folder.
 */
export async function benchDatabase(): Promise<{ url: string; pool: Pool; dispose(): Promise<void> }> {
  const name = `certledger_bench_${process.pid}`;
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (!serverUrl) {
    dir = mkdtempSync(join(tmpdir(), 'certledger-bench-'));
    const pg = await startEmbeddedPostgres({ dir, database: 'certledger_bench_admin' });
    // Over the Unix socket, as the server reaches its own embedded PostgreSQL.
    serverUrl = pg.socketUrl;
    stopEmbedded = pg.stop;
  }
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const pool = new Pool({ connectionString: u.toString(), max: 20 });
  await migrate(pool);
  return {
    url: u.toString(),
    pool,
    dispose: async () => {
      await pool.end();
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      if (stopEmbedded) await stopEmbedded();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function rate(count: number, startNs: bigint): string {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  return `${Math.round(count / seconds).toLocaleString('en-US')} events/s (${count} events in ${seconds.toFixed(2)} s)`;
}

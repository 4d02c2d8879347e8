import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

/**
 * An embedded PostgreSQL for the issuance benchmark with pg_stat_statements loaded, and a
 * measuring connection to it.
 *
 * The server under test gets `database.url` pointing at the database `serverDatabase`; the bench
 * measures through its own connection to a separate database, `bench_measure`. The measuring
 * queries therefore never touch the server's counters: pg_stat_database rows are per database,
 * and pg_stat_statements rows are filtered by the server database's oid.
 */
/** One normalised statement: how often it ran and the planning plus execution time it took. */
export interface StatementFigure {
  calls: number;
  /** Planning plus execution. */
  ms: number;
  planMs: number;
  query: string;
}

export class MeasuredPostgres {
  private constructor(
    readonly url: string,
    readonly serverDatabase: string,
    private readonly clusterDir: string,
    private readonly admin: Client,
    private readonly dbOid: number,
    private readonly stopServer: () => Promise<void>,
  ) {}

  /** Starts the cluster in `<dir>/pg`: once to create it and set shared_preload_libraries, then for real. */
  static async start(dir: string, serverDatabase = 'certledger_bench'): Promise<MeasuredPostgres> {
    const first = await startEmbeddedPostgres({ dir, database: 'bench_measure' });
    const setup = new Client({ connectionString: first.url });
    await setup.connect();
    await setup.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await setup.query(`ALTER SYSTEM SET pg_stat_statements.track_utility = on`); // BEGIN/COMMIT count as statements
    await setup.query(`ALTER SYSTEM SET pg_stat_statements.track_planning = on`); // planning time is time spent too
    await setup.end();
    await first.stop();

    const pg = await startEmbeddedPostgres({ dir, database: 'bench_measure' });
    const admin = new Client({ connectionString: pg.url, application_name: 'bench-measure' });
    await admin.connect();
    const loaded = (await admin.query(`SELECT current_setting('shared_preload_libraries') AS s`)).rows[0].s as string;
    if (!loaded.includes('pg_stat_statements')) throw new Error(`pg_stat_statements is not preloaded (shared_preload_libraries = '${loaded}')`);
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await admin.query(`CREATE DATABASE ${serverDatabase}`);
    const oid = Number((await admin.query('SELECT oid FROM pg_database WHERE datname = $1', [serverDatabase])).rows[0].oid);
    // The server under test connects over the Unix socket, as it does to its own embedded PostgreSQL.
    const u = new URL(pg.socketUrl);
    u.pathname = `/${serverDatabase}`;
    return new MeasuredPostgres(u.toString(), serverDatabase, join(dir, 'pg'), admin, oid, pg.stop);
  }

  /** The postmaster's pid: the root of the PostgreSQL process tree (backends are its children). */
  postmasterPid(): number {
    return Number(readFileSync(join(this.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /**
   * Committed + rolled back transactions of the server's database, as flushed to the statistics
   * system so far. Backends flush their counters when they go idle, at most once a second, and an
   * idle backend with unflushed counters flushes within 10 s: read this after a quiet pause.
   */
  async transactions(): Promise<number> {
    const r = await this.admin.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datid = $1', [this.dbOid]);
    return Number(r.rows[0].n);
  }

  async resetStatements(): Promise<void> {
    await this.admin.query('SELECT pg_stat_statements_reset()');
  }

  /** Statements executed in the server's database since the last reset (counted when they finish). */
  async statements(): Promise<{ calls: number; ms: number; planMs: number; top: StatementFigure[]; slowest: StatementFigure[] }> {
    const r = await this.admin.query(
      'SELECT calls, total_exec_time + total_plan_time AS ms, total_plan_time AS plan_ms, query FROM pg_stat_statements WHERE dbid = $1 ORDER BY calls DESC',
      [this.dbOid],
    );
    const rows: StatementFigure[] = r.rows.map((x) => ({ calls: Number(x.calls), ms: Number(x.ms), planMs: Number(x.plan_ms), query: String(x.query) }));
    return {
      calls: rows.reduce((a, x) => a + x.calls, 0),
      ms: rows.reduce((a, x) => a + x.ms, 0),
      planMs: rows.reduce((a, x) => a + x.planMs, 0),
      top: rows.slice(0, 12),
      slowest: [...rows].sort((a, b) => b.ms - a.ms).slice(0, 12),
    };
  }

  async stop(): Promise<void> {
    await this.admin.end().catch(() => undefined);
    await this.stopServer();
  }
}

import { join } from 'node:path';
import { Pool } from 'pg';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../db/embedded-postgres';
import type { Logger } from '../ops/logger';
import { guardPool } from '../db/pool-errors';
import { PreparingClient } from '../db/preparing-client';

export interface DatabaseSettings {
  /** null: run the embedded PostgreSQL under <dataDir>/. */
  url: string | null;
  /** The owner role's URL, for migrations (null: migrations run as `url`). */
  migrationUrl?: string | null;
  dataDir: string;
  poolMax: number;
  /** Connections for background work (projections, jobs, heartbeat), apart from request traffic. */
  backgroundPoolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

export interface Database {
  url: string;
  /** Where migrations run (the owner role); null: on `url`. Embedded: the superuser, the server being a role of its own. */
  ownerUrl: string | null;
  /** Request traffic: what load shedding watches. */
  pool: Pool;
  /** Projections, job workers, heartbeat: busy catch-up never starves requests, and vice versa. */
  backgroundPool: Pool;
  embedded: boolean;
  close(): Promise<void>;
}

/** Connects to the configured PostgreSQL, or starts the embedded one when none is configured. */
export async function openDatabase(s: DatabaseSettings, log: Logger): Promise<Database> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let url = s.url;
  if (!url) {
    const dir = join(s.dataDir, 'postgres');
    log.info({ dir }, 'no database.url configured: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dir, onLog: (line) => log.debug({ component: 'embedded-postgres' }, line) });
    url = embedded.serverSocketUrl;
    log.info({ port: embedded.port, socket: embedded.socketDir }, 'embedded PostgreSQL is ready');
  }
  const makePool = (max: number, name: string) => {
    const p = new Pool({
      // Hot statements are parsed and planned once per connection.
      Client: PreparingClient,
      connectionString: url!,
      max,
      connectionTimeoutMillis: s.connectTimeoutMs,
      // A long open transaction pins the feed's xmin and stalls every subscriber: cut it off.
      // Prepared statements keep one generic plan: the product's statements are key lookups whose
      // best plan does not depend on the values, and replanning each call cost more than running it.
      options: `-c statement_timeout=${s.statementTimeoutMs} -c idle_in_transaction_session_timeout=${s.idleInTransactionTimeoutMs} -c plan_cache_mode=force_generic_plan`,
      application_name: name,
      // Connections stay open through a minute of quiet: a new one costs PostgreSQL a backend,
      // its catalog caches and its prepared statements again (pg closes idle ones after 10 s).
      idleTimeoutMillis: 60_000,
      // A connection to an address that moved (failover) or a host that vanished is noticed by TCP
      // keepalive instead of hanging until the kernel gives up.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    // No connection error, idle or checked out, may crash the process: the pool replaces the client.
    return guardPool(p, name, (fields, msg) => log.warn(fields, msg));
  };
  const pool = makePool(s.poolMax, 'certledger');
  const backgroundPool = makePool(s.backgroundPoolMax, 'certledger-background');
  return {
    url,
    ownerUrl: embedded ? embedded.socketUrl : (s.migrationUrl ?? null),
    pool,
    backgroundPool,
    embedded: Boolean(embedded),
    close: async () => {
      await pool.end().catch(() => undefined);
      await backgroundPool.end().catch(() => undefined);
      if (embedded) await embedded.stop();
    },
  };
}

/** The URL without its password, for logs and `db status`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

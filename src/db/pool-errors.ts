import type { Pool, PoolClient } from 'pg';

/**
 * Database errors that mean "the database is not reachable right now" (restart, failover, network),
 * as opposed to a bug or a constraint: the request gets 503 with Retry-After, background loops back
 * off and retry, and the process keeps running.
 *
 * SQLSTATE classes: 08 connection exception, 57P01 admin shutdown, 57P02 crash shutdown, 57P03
 * cannot connect now (starting or shutting down), 25006 read-only transaction (a standby that is
 * not promoted yet, or a primary demoted under us), 53300 too many connections.
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '25006', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection is closed|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Cannot use a pool after calling end|terminating connection|the database system is (starting up|shutting down|in recovery mode)|read-only transaction|server closed the connection unexpectedly|Query read timeout/i;

export function isDatabaseUnavailable(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const code = String((e as { code?: unknown }).code ?? '');
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
  const message = String((e as { message?: unknown }).message ?? '');
  if (UNAVAILABLE_MESSAGES.test(message)) return true;
  // AggregateError (several addresses refused) and wrapped causes.
  const nested = (e as { errors?: unknown[]; cause?: unknown }).errors ?? [];
  if (nested.some(isDatabaseUnavailable)) return true;
  const cause = (e as { cause?: unknown }).cause;
  return cause !== e && cause !== undefined && isDatabaseUnavailable(cause);
}

export type PoolErrorLog = (fields: Record<string, unknown>, msg: string) => void;

const GUARDED = Symbol('certledger.pool-guarded');

/**
 * Gives every client of the pool an error listener for its whole life. pg-pool listens for errors
 * only while a client sits idle and removes that listener while the client is checked out; a
 * connection killed then (pg_terminate_backend, a restart, a failover) emits 'error' on the client
 * with nobody listening, and Node turns that into an uncaught exception that ends the process.
 * With this listener the error is logged; the query in flight rejects, the code that checked the
 * client out sees that rejection, and pg-pool discards the broken client when it is released.
 */
export function guardPool(pool: Pool, name: string, log: PoolErrorLog): Pool {
  const marked = pool as Pool & { [GUARDED]?: boolean };
  if (marked[GUARDED]) return pool;
  marked[GUARDED] = true;
  pool.on('connect', (client: PoolClient) => {
    client.on('error', (err: Error & { code?: string }) => {
      log({ pool: name, err: err.message, code: err.code }, 'database connection lost');
    });
  });
  // Idle clients: pg-pool re-emits their errors on the pool, which must have a listener too.
  pool.on('error', (err: Error & { code?: string }) => log({ pool: name, err: err.message, code: err.code }, 'idle database connection lost'));
  return pool;
}

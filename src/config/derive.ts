import { availableParallelism } from 'node:os';
import type { Problems } from './problems';

/** Where the server serves docs/rate-limits.md. */
export const RATE_LIMITS_DOCS_PATH = '/docs/rate-limits';

type Env = Record<string, string | undefined>;
// The shape is checked by the schema already; sections may still hold wrong values where
// problems were recorded, which is why each step asks isClean first.
type Data = Record<string, any>;

/** Defaults that depend on other keys or on the environment, filled after validation. */
export function deriveDefaults(data: Data, env: Env, problems: Problems): void {
  if (problems.isClean('database.url') && data.database.url === null && env.DATABASE_URL) data.database.url = env.DATABASE_URL;
  if (problems.isClean('server.workers') && data.server.workers === 'auto') data.server.workers = autoWorkers(data.database.url === null, availableParallelism());
  if (problems.isClean('server.external_url') && data.server.external_url === null && problems.isClean('server.listen') && problems.isClean('server.tls')) {
    data.server.external_url = externalUrlFromListen(data.server.listen, Boolean(data.server.tls.cert_file));
  }
  if (problems.isClean('crl') && problems.isClean('ca.crl_url') && data.crl.enabled && data.ca.crl_url === null && typeof data.server.external_url === 'string') {
    data.ca.crl_url = `${data.server.external_url}${data.crl.path}`;
  }
  if (problems.isClean('rate_limits.docs_url') && data.rate_limits.docs_url === null && typeof data.server.external_url === 'string') {
    data.rate_limits.docs_url = `${data.server.external_url}${RATE_LIMITS_DOCS_PATH}`;
  }
}

/**
 * "auto" worker processes: one per CPU, less one core left to the embedded PostgreSQL that runs
 * on the same cores (ADR 0012: on 2 cores a second process added CPU per certificate and no
 * throughput).
 */
export function autoWorkers(embeddedDatabase: boolean, cpus: number): number {
  return embeddedDatabase ? Math.max(1, cpus - 1) : cpus;
}

/** `0.0.0.0:4000` -> `http://localhost:4000`: a wildcard address is not something a client can reach. */
export function externalUrlFromListen(listen: string, tls: boolean): string {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) return `${tls ? 'https' : 'http'}://${listen}`;
  let host = m[1];
  if (host === '0.0.0.0' || host === '[::]' || host === '[0:0:0:0:0:0:0:0]') host = 'localhost';
  return `${tls ? 'https' : 'http'}://${host}:${m[2]}`;
}

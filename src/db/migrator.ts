import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { packageRoot } from '../shared-paths';

/**
 * Forward-only SQL migrations from migrations/NNNN_name.sql, applied in one transaction under an
 * advisory lock so two instances starting together never race, and refused when the database
 * already holds migrations this binary does not know (it is newer than the binary).
 */
export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: Array<{ version: number; name: string; appliedAt: Date }>;
  pending: MigrationFile[];
  /** Versions recorded in the database that this binary does not ship. */
  unknown: Array<{ version: number; name: string }>;
  /** Versions whose file changed after it was applied. */
  modified: Array<{ version: number; name: string }>;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

// Arbitrary constant shared by every instance: "certledger migrations".
const MIGRATION_LOCK_KEY = 4242_0001;

export function migrationFiles(dir = join(packageRoot(), 'migrations')): MigrationFile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Map<number, string>();
  return files.map((file) => {
    const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new MigrationError(`migration file name '${file}' must look like 0001_name.sql`);
    const version = Number(m[1]);
    if (seen.has(version)) throw new MigrationError(`migrations ${seen.get(version)} and ${file} share version ${version}`);
    seen.set(version, file);
    const sql = readFileSync(join(dir, file), 'utf8');
    return { version, name: m[2], sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

async function ensureTable(client: PoolClient): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
}

async function readStatus(client: PoolClient, files: MigrationFile[]): Promise<MigrationStatus> {
  const exists = await client.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS ok`);
  const rows = exists.rows[0].ok
    ? (await client.query('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version')).rows
    : [];
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const appliedVersions = new Set(rows.map((r) => Number(r.version)));
  return {
    applied: rows.map((r) => ({ version: Number(r.version), name: r.name, appliedAt: r.applied_at })),
    pending: files.filter((f) => !appliedVersions.has(f.version)),
    unknown: rows.filter((r) => !byVersion.has(Number(r.version))).map((r) => ({ version: Number(r.version), name: r.name })),
    modified: rows
      .filter((r) => byVersion.has(Number(r.version)) && byVersion.get(Number(r.version))!.checksum !== r.checksum)
      .map((r) => ({ version: Number(r.version), name: r.name })),
  };
}

export async function migrationStatus(pool: Pool, files = migrationFiles()): Promise<MigrationStatus> {
  const client = await pool.connect();
  try {
    return await readStatus(client, files);
  } finally {
    client.release();
  }
}

function refuseIncompatible(status: MigrationStatus): void {
  if (status.unknown.length > 0) {
    const list = status.unknown.map((u) => `${u.version}_${u.name}`).join(', ');
    throw new MigrationError(`the database is newer than this binary: it has migrations this version does not know (${list}); upgrade certledger`);
  }
  if (status.modified.length > 0) {
    const list = status.modified.map((u) => `${u.version}_${u.name}`).join(', ');
    throw new MigrationError(`applied migrations were changed after they ran (${list}); migrations are forward-only, add a new one instead`);
  }
}

/** Applies every pending migration; returns the ones it applied. */
export async function migrate(pool: Pool, files = migrationFiles()): Promise<MigrationFile[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await ensureTable(client);
    const status = await readStatus(client, files);
    refuseIncompatible(status);
    for (const m of status.pending) {
      try {
        await client.query(m.sql);
      } catch (e) {
        throw new MigrationError(`migration ${m.version}_${m.name} failed: ${(e as Error).message}`);
      }
      await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
    }
    await client.query('COMMIT');
    return status.pending;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** Refuses to serve with a database this binary cannot work with (pending or unknown migrations). */
export async function assertSchemaCurrent(pool: Pool): Promise<void> {
  const status = await migrationStatus(pool);
  refuseIncompatible(status);
  if (status.pending.length > 0) {
    const list = status.pending.map((p) => `${p.version}_${p.name}`).join(', ');
    throw new MigrationError(`the database has pending migrations (${list}): run 'certledger db migrate' or set database.auto_setup: true`);
  }
}

import { Pool } from 'pg';
import { type MigrationFile, migrate } from './migrator';

/**
 * Two database roles: the owner runs the migrations and owns every table; the server connects as a
 * role that may only INSERT and SELECT the event history (es_events, es_event_chain) and read and
 * write the rest. Not owning es_events and not being a superuser, the server role cannot UPDATE,
 * DELETE or TRUNCATE an event, disable the append-only triggers, or set session_replication_role.
 */

/** Tables the server may only append to and read. */
export const APPEND_ONLY_TABLES = ['es_events', 'es_event_chain'];
/** pg-boss keeps its tables here and migrates them itself at start: the server role owns it. */
export const JOBS_SCHEMA = 'certledger_jobs';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The SQL that gives `role` what the server needs (docs/deployment.md prints the same). */
export function serverRoleGrants(role: string): string[] {
  const r = ident(role);
  return [
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO ${r}`,
    `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
    `REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON ${APPEND_ONLY_TABLES.join(', ')} FROM ${r}`,
    `GRANT SELECT, INSERT ON ${APPEND_ONLY_TABLES.join(', ')} TO ${r}`,
    // pg-boss runs CREATE SCHEMA IF NOT EXISTS at each start, which asks for CREATE on the database.
    `DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO %I', current_database(), '${role.replace(/'/g, "''")}'); END $$`,
    `CREATE SCHEMA IF NOT EXISTS ${JOBS_SCHEMA} AUTHORIZATION ${r}`,
    `GRANT ALL ON SCHEMA ${JOBS_SCHEMA} TO ${r}`,
    `GRANT ALL ON ALL TABLES IN SCHEMA ${JOBS_SCHEMA} TO ${r}`,
    `GRANT ALL ON ALL SEQUENCES IN SCHEMA ${JOBS_SCHEMA} TO ${r}`,
  ];
}

/** Applies the grants as the owner (after each migration run, so new tables are covered). */
export async function grantServerRole(owner: Pool, role: string): Promise<void> {
  const client = await owner.connect();
  try {
    await client.query('BEGIN');
    for (const sql of serverRoleGrants(role)) await client.query(sql);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** Creates a login role (no superuser, no role creation) or resets its password. */
export async function ensureLoginRole(owner: Pool, role: string, password: string): Promise<void> {
  const exists = await owner.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const literal = `'${password.replace(/'/g, "''")}'`;
  if (exists.rowCount) await owner.query(`ALTER ROLE ${ident(role)} WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD ${literal}`);
  else await owner.query(`CREATE ROLE ${ident(role)} WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD ${literal}`);
}

/** What `db status` warns about: a server role that could rewrite the history. */
export async function serverRoleWarnings(pool: Pool): Promise<string[]> {
  const r = await pool.query(
    `SELECT current_user AS role, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'es_events') AS owner,
            coalesce(has_table_privilege(to_regclass('public.es_events')::oid, 'UPDATE') OR has_table_privilege(to_regclass('public.es_events')::oid, 'DELETE')
                     OR has_table_privilege(to_regclass('public.es_events')::oid, 'TRUNCATE'), false) AS can_rewrite`,
  );
  const row = r.rows[0];
  const warnings: string[] = [];
  if (row.superuser) warnings.push(`the server connects as '${row.role}', a superuser: it can disable the append-only triggers and rewrite the event history (see docs/deployment.md, "Database roles")`);
  if (row.owner === row.role) warnings.push(`the server's role '${row.role}' owns es_events: it can disable its triggers and rewrite the event history; run migrations as an owner role (database.migration_url) and serve as a role with INSERT and SELECT only`);
  else if (row.can_rewrite && !row.superuser) warnings.push(`the server's role '${row.role}' may UPDATE, DELETE or TRUNCATE es_events: revoke it (see docs/deployment.md)`);
  return warnings;
}

/** The role a postgres:// URL logs in as. */
export function urlRole(url: string): string | null {
  try {
    return decodeURIComponent(new URL(url).username) || null;
  } catch {
    return null;
  }
}

/**
 * Applies pending migrations. With a separate owner URL they run as the owner, and the server's
 * role (the user of `serverUrl`) then gets its grants; otherwise they run on `pool` as before.
 */
export async function migrateAsOwner(pool: Pool, serverUrl: string, ownerUrl: string | null): Promise<MigrationFile[]> {
  const role = ownerUrl ? urlRole(serverUrl) : null;
  if (!ownerUrl || !role || role === urlRole(ownerUrl)) return migrate(pool);
  const owner = new Pool({ connectionString: ownerUrl, max: 1 });
  owner.on('error', () => undefined);
  try {
    const applied = await migrate(owner);
    await grantServerRole(owner, role);
    return applied;
  } finally {
    await owner.end();
  }
}

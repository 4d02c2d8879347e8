import { migrationFiles, migrationStatus } from '../../db/migrator';
import { migrateAsOwner, serverRoleWarnings } from '../../db/roles';
import { openDatabase, redactUrl } from '../../runtime/database';
import { bootSettings } from '../../runtime/boot';
import { type GlobalOptions, loggerFor, readConfig } from '../context';
import { CliError } from '../exit-codes';

async function withDatabase<T>(opts: GlobalOptions, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const { config } = readConfig(opts);
  const db = await openDatabase(bootSettings(config).database, loggerFor(config, opts));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** `db status`: connectivity, applied and pending migrations; exit 1 when the schema is not servable. */
export async function dbStatus(opts: GlobalOptions): Promise<void> {
  await withDatabase(opts, async (db) => {
    let version: string;
    try {
      version = (await db.pool.query('SHOW server_version')).rows[0].server_version;
    } catch (e) {
      throw new CliError(`database ${redactUrl(db.url)} is not reachable: ${(e as Error).message}`);
    }
    const files = migrationFiles();
    const st = await migrationStatus(db.pool, files);
    const out = process.stdout;
    out.write(`database: ${redactUrl(db.url)}${db.embedded ? ' (embedded)' : ''}\n`);
    out.write(`connectivity: ok (PostgreSQL ${version})\n`);
    out.write(`applied: ${st.applied.length}\n`);
    for (const a of st.applied) out.write(`  ${String(a.version).padStart(4, '0')}_${a.name}  ${a.appliedAt.toISOString()}\n`);
    out.write(`pending: ${st.pending.length}\n`);
    for (const p of st.pending) out.write(`  ${String(p.version).padStart(4, '0')}_${p.name}\n`);
    for (const w of await serverRoleWarnings(db.pool)) out.write(`warning: ${w}\n`);
    if (st.unknown.length > 0) {
      const names = st.unknown.map((u) => `${u.version}_${u.name}`).join(', ');
      throw new CliError(`the database is newer than this binary (unknown migrations: ${names}); refusing to use it`);
    }
    if (st.modified.length > 0) {
      throw new CliError(`applied migrations were changed after they ran: ${st.modified.map((m) => `${m.version}_${m.name}`).join(', ')}`);
    }
  });
}

/** `db migrate`: applies pending migrations under the migration lock. */
export async function dbMigrate(opts: GlobalOptions): Promise<void> {
  await withDatabase(opts, async (db) => {
    const applied = await migrateAsOwner(db.pool, db.url, db.ownerUrl);
    if (applied.length === 0) process.stdout.write('database is up to date\n');
    for (const m of applied) process.stdout.write(`applied ${String(m.version).padStart(4, '0')}_${m.name}\n`);
  });
}

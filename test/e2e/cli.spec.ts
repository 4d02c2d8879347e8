import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { runCli, writeConfig } from '../support/server-process';

describe('certledger CLI', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('cli');
  });
  afterAll(async () => db.drop());

  test('--version prints the package version', () => {
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('unknown commands and flags print usage and exit 2', () => {
    const cmd = runCli(['frobnicate']);
    expect(cmd.status).toBe(2);
    expect(cmd.stderr).toContain("unknown command 'frobnicate'");
    expect(cmd.stderr).toContain('Usage: certledger');
    const flag = runCli(['--frobnicate']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("unknown option '--frobnicate'");
    expect(runCli(['db', 'frobnicate']).status).toBe(2);
  });

  test('--validate-only accepts a good file and touches no database', () => {
    // The database URL points at a closed port: validation must not try to connect.
    const file = writeConfig('database:\n  url: postgres://nobody@127.0.0.1:1/none\nserver:\n  listen: 127.0.0.1:4999\n');
    const r = runCli(['-c', file, '--validate-only']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('is valid');
  });

  test('bad configuration exits 1 listing every problem, from -c or CERTLEDGER_CONFIG', () => {
    const file = writeConfig('server:\n  lisen: x\n  shutdown_timeout: 1m\ndatabase:\n  url: ${NO_SUCH_VAR}\n');
    for (const r of [runCli(['-c', file, '--validate-only']), runCli(['--validate-only'], { CERTLEDGER_CONFIG: file }), runCli(['-c', file])]) {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('database.url: environment variable NO_SUCH_VAR is not set');
    }
    const typed = writeConfig('server:\n  lisen: x\n  shutdown_timeout: 1m\n');
    const r = runCli(['-c', typed, '--validate-only']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('server.lisen: unknown key');
    expect(r.stderr).toContain('server.shutdown_timeout (1m) must be ≤ workers.drain_timeout (30s)');
  });

  test('db status, db migrate, and refusal of a database newer than the binary', async () => {
    const file = writeConfig(`database:\n  url: ${db.url}\n`);
    const before = runCli(['-c', file, 'db', 'status']);
    expect(before.status).toBe(0);
    expect(before.stdout).toContain('connectivity: ok');
    expect(before.stdout).toMatch(/applied: 0/);
    expect(before.stdout).toMatch(/pending: [1-9]/);
    expect(before.stdout).toContain('0001_event_store');

    const migrate = runCli(['-c', file, 'db', 'migrate']);
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toContain('applied 0001_event_store');
    expect(runCli(['-c', file, 'db', 'migrate']).stdout).toContain('database is up to date');

    const after = runCli(['-c', file, 'db', 'status']);
    expect(after.stdout).toMatch(/pending: 0/);

    const pool = new Pool({ connectionString: db.url });
    await pool.query(`INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'from_the_future', 'x')`);
    const newer = runCli(['-c', file, 'db', 'status']);
    expect(newer.status).toBe(1);
    expect(newer.stderr).toContain('newer than this binary');
    expect(newer.stderr).toContain('9999_from_the_future');
    // serve refuses too, before listening.
    const serve = runCli(['-c', file]);
    expect(serve.status).toBe(1);
    expect(serve.stderr).toContain('newer than this binary');
    await pool.query('DELETE FROM schema_migrations WHERE version = 9999');
    await pool.end();
  });

  test('db status names an unreachable database', () => {
    const file = writeConfig('database:\n  url: postgres://nobody@127.0.0.1:1/none_test\n  connect_timeout: 2s\n');
    const r = runCli(['-c', file, 'db', 'status']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: .*ECONNREFUSED|not reachable/);
  });

  test('projections status and rebuild', () => {
    const file = writeConfig(`database:\n  url: ${db.url}\n`);
    const status = runCli(['-c', file, 'projections', 'status']);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/audit_trail\s+1\s+running\s+0/);
    const rebuild = runCli(['-c', file, 'projections', 'rebuild', 'audit_trail']);
    expect(rebuild.status).toBe(0);
    expect(rebuild.stdout).toContain('rebuilt audit_trail');
    const unknown = runCli(['-c', file, 'projections', 'rebuild', 'nope']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("unknown projection 'nope'");
  });
});

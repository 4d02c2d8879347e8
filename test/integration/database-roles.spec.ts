import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { ensureLoginRole, migrateAsOwner, serverRoleWarnings } from '../../src/db/roles';
import { extendChain, verifyChain } from '../../src/eventstore/postgres/event-chain';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** The server's own database role may append to the event history and read it, never rewrite it. */
describe('database roles', () => {
  let db: TestDatabase;
  let owner: Pool;
  let server: Pool;
  const role = `certledger_srv_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase('roles');
    owner = new Pool({ connectionString: db.url, max: 2 });
    owner.on('error', () => undefined);
    await ensureLoginRole(owner, role, password);
    const u = new URL(db.url);
    u.username = role;
    u.password = password;
    const serverUrl = u.toString();
    // As at start: migrations as the owner, then the server role's grants.
    await migrateAsOwner(owner, serverUrl, db.url);
    server = new Pool({ connectionString: serverUrl, max: 2 });
    server.on('error', () => undefined);
  });

  afterAll(async () => {
    await server?.end();
    await owner?.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await owner?.end();
    await db?.drop();
    const admin = new Pool({ connectionString: process.env.CERTLEDGER_TEST_SERVER_URL, max: 1 });
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
  });

  test('the server role appends and reads events, and extends the chain', async () => {
    const store = new PostgresEventStore({ pool: server });
    await store.append('roles-1', [{ type: 'MaintenanceModeChanged', data: { enabled: true, reason: null } }], 'no_stream');
    expect(await extendChain(server)).toBe(1);
    expect((await verifyChain(server)).break).toBeNull();
    expect(await serverRoleWarnings(server)).toEqual([]);
  });

  test.each([
    ['UPDATE', `UPDATE es_events SET data = '{}'`],
    ['DELETE', 'DELETE FROM es_events'],
    ['TRUNCATE', 'TRUNCATE es_events'],
    ['disable the trigger', 'ALTER TABLE es_events DISABLE TRIGGER es_events_no_update'],
    ['disable every trigger', 'ALTER TABLE es_events DISABLE TRIGGER ALL'],
    ['change session_replication_role', 'SET session_replication_role = replica'],
    ['drop the table', 'DROP TABLE es_events'],
    ['rewrite a digest', `UPDATE es_event_chain SET digest = 'x'`],
    ['delete the chain', 'DELETE FROM es_event_chain'],
  ])('the server role cannot %s', async (_what, sql) => {
    await expect(server.query(sql)).rejects.toThrow(/permission denied|must be owner|must be superuser/);
    expect(Number((await owner.query('SELECT count(*) FROM es_events')).rows[0].count)).toBe(1);
  });

  test('db status warns when the server connects as the owner or a superuser', async () => {
    const warnings = await serverRoleWarnings(owner);
    expect(warnings.join('\n')).toMatch(/superuser|owns es_events/);
  });
});

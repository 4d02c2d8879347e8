import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { RawAcme, testAccountKey } from '../../bench/support/raw-acme';
import { dataDirectory } from '../support/data-dir';
import { runCli, type ServerProcess, startServer, writeConfig } from '../support/server-process';

/**
 * The embedded default serves as a role of its own that cannot rewrite the event history; the
 * owner can, and `events verify` then names the changed event.
 */
describe('an event history the server cannot rewrite', () => {
  const dataDir = dataDirectory('history');
  const yaml = (port: number) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\nrate_limits:\n  allow_addresses: ["127.0.0.1"]\n`;
  const config = writeConfig(`data_dir: ${dataDir}\n`);
  let server: ServerProcess;

  const embeddedPort = (logs: string) => Number(/"port":(\d+)[^\n]*embedded PostgreSQL is ready/.exec(logs)![1]);
  const urlFor = (port: number, user: string, passwordFile: string) =>
    `postgres://${user}:${encodeURIComponent(readFileSync(join(dataDir, 'postgres', passwordFile), 'utf8').trim())}@127.0.0.1:${port}/certledger`;

  afterAll(async () => {
    await server?.stop();
  });

  test('the embedded server connects as certledger_server, which cannot change an event', async () => {
    server = await startServer({ configYaml: yaml });
    const acme = await new RawAcme(server.baseUrl).init();
    for (let i = 0; i < 3; i++) await acme.account(await testAccountKey());
    const port = embeddedPort(server.logs());
    const owner = new Pool({ connectionString: urlFor(port, 'postgres', 'pg-password'), max: 1 });
    const asServer = new Pool({ connectionString: urlFor(port, 'certledger_server', 'pg-server-password'), max: 1 });
    owner.on('error', () => undefined);
    asServer.on('error', () => undefined);
    try {
      const sessions = await owner.query(`SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name LIKE 'certledger%'`);
      expect(sessions.rows.map((r) => r.usename)).toEqual(['certledger_server']);
      await expect(asServer.query(`UPDATE es_events SET data = '{}'`)).rejects.toThrow(/permission denied/);
      await expect(asServer.query('SET session_replication_role = replica')).rejects.toThrow(/permission denied/);
      // The owner can: a change made with the triggers bypassed.
      const victim = (await owner.query(`SELECT transaction_id::text AS xid, global_position::text AS seq FROM es_events WHERE event_type = 'AccountRegistered' ORDER BY transaction_id, global_position OFFSET 1 LIMIT 1`)).rows[0];
      for (let i = 0; i < 100 && Number((await owner.query('SELECT count(*) FROM es_event_chain')).rows[0].count) < Number((await owner.query('SELECT count(*) FROM es_events')).rows[0].count); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const client = await owner.connect();
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(`UPDATE es_events SET data = jsonb_set(data, '{contact}', '["mailto:attacker@example.com"]') WHERE global_position = $1`, [victim.seq]);
      await client.query('COMMIT');
      client.release();
      await owner.end();
      await asServer.end();
      await server.stop();
      const r = runCli(['-c', config, 'events', 'verify']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`event chain broken at position ${victim.xid}/${victim.seq}`);
      expect(r.stderr).toMatch(/after \d+ intact events: the stored digest does not match the event/);
    } finally {
      if (!owner.ended) await owner.end();
      if (!asServer.ended) await asServer.end();
    }
  });

  test('db status reports no role warning for the embedded default', () => {
    const r = runCli(['-c', config, 'db', 'status']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('warning:');
  });

  test('an export carries the digest the database stores for each event', () => {
    const out = join(dataDir, 'export.jsonl');
    expect(runCli(['-c', config, 'events', 'export', '--out', out]).status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const events = lines.filter((l) => !l.final);
    expect(events.length).toBeGreaterThan(3);
    expect(events.every((l) => /^[0-9a-f]{64}$/.test(l.chain_digest))).toBe(true);
    expect(runCli(['-c', config, 'events', 'verify', out]).status).toBe(0);
  });
});

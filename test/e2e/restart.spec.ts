
import { calculateJwkThumbprint } from 'jose';
import { Client } from 'pg';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { makeCsr } from '../support/csr';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RawAcme, testAccountKey } from '../../bench/support/raw-acme';
import { type ServerProcess, startServer } from '../support/server-process';
import { dataDirectory } from '../support/data-dir';

/**
 * Durability: a validation in flight when the server is killed with SIGKILL is not lost. After a
 * restart its lease expires, the job runs again, and the orders complete.
 */
describe('restart during pending validations', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess | undefined;
  let port = 0;
  let yaml: (p: number) => string;

  beforeAll(async () => {
    db = await createTestDatabase('restart');
    rig = await new ChallengeRig().start();
    const dataDir = dataDirectory('restart');
    yaml = (p) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${p}\nworkers:\n  lease: 2s\n${rig.validationYaml()}\n`;
  });
  afterAll(async () => {
    await server?.stop();
    await rig.stop();
    await db.drop();
  });

  test('kill -9 while validations run; after restart every order becomes valid', async () => {
    server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: yaml });
    port = server.port;
    const acme = await new RawAcme(server.baseUrl).init();
    const key = await testAccountKey();
    const kid = await acme.account(key);
    const thumbprint = await calculateJwkThumbprint(key.jwk, 'sha256');
    rig.httpDelayMs = 60_000; // validations hang until the server is gone

    const orders: Array<{ url: string; finalize: string; name: string; token: string }> = [];
    for (let i = 0; i < 3; i++) {
      const name = `restart${i}.restart.test`;
      const o = await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: name }] }, key, { kid });
      const authz = await acme.post(o.body.authorizations[0], '', key, { kid });
      const ch = authz.body.challenges.find((c: { type: string }) => c.type === 'http-01');
      rig.http.set(ch.token, `${ch.token}.${thumbprint}`);
      expect((await acme.post(ch.url, {}, key, { kid })).body.status).toBe('processing');
      orders.push({ url: o.headers.get('location')!, finalize: o.body.finalize, name, token: ch.token });
    }
    // Wait until the validations are really in flight, then kill the server without warning.
    for (let i = 0; i < 200 && orders.some((o) => !rig.httpHits.get(o.token)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(orders.every((o) => rig.httpHits.get(o.token))).toBe(true);
    server.signal('SIGKILL');
    await server.exited;

    rig.httpDelayMs = 0;
    server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: yaml, port });
    const again = await new RawAcme(server.baseUrl).init();
    for (const o of orders) {
      let status = '';
      for (let i = 0; i < 300 && status !== 'ready'; i++) {
        status = (await again.post(o.url, '', key, { kid })).body.status;
        if (status !== 'ready') await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe('ready');
      const csr = (await makeCsr([o.name])).toString('base64url');
      let body = (await again.post(o.finalize, { csr }, key, { kid })).body;
      for (let i = 0; i < 100 && body.status !== 'valid'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        body = (await again.post(o.url, '', key, { kid })).body;
      }
      expect(body.status).toBe('valid');
      expect(body.certificate).toMatch(/\/acme\/cert\//);
    }
  }, 120_000);

  test('kill -9 between an accepted finalize and its certificate: the order completes once, with one certificate', async () => {
    await server?.stop();
    server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: yaml, port: port || undefined });
    port = server.port;
    const acme = await new RawAcme(server.baseUrl).init();
    const key = await testAccountKey();
    const kid = await acme.account(key);
    const thumbprint = await calculateJwkThumbprint(key.jwk, 'sha256');
    const name = 'finalize.restart.test';
    const o = await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: name }] }, key, { kid });
    const orderUrl = o.headers.get('location')!;
    const orderId = orderUrl.split('/').pop()!;
    const authz = await acme.post(o.body.authorizations[0], '', key, { kid });
    const ch = authz.body.challenges.find((c: { type: string }) => c.type === 'http-01');
    rig.http.set(ch.token, `${ch.token}.${thumbprint}`);
    await acme.post(ch.url, {}, key, { kid });
    let status = '';
    for (let i = 0; i < 300 && status !== 'ready'; i++) {
      status = (await acme.post(orderUrl, '', key, { kid })).body.status;
      if (status !== 'ready') await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('ready');

    // The certificate's read model is written in the same transaction as the certificate: holding
    // its table keeps the issuance from committing, after the finalize itself has committed.
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE rm_certificates IN ACCESS EXCLUSIVE MODE');
    const csr = (await makeCsr([name])).toString('base64url');
    const finalize = acme.post(o.body.finalize, { csr }, key, { kid }).catch(() => null);
    const accepted = async () =>
      (await blocker.query(`SELECT 1 FROM es_events WHERE stream_id = $1 AND event_type = 'OrderFinalizationRequested'`, [`order-${orderId}`])).rowCount === 1;
    for (let i = 0; i < 200 && !(await accepted()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await accepted()).toBe(true);
    expect((await blocker.query(`SELECT 1 FROM es_events WHERE stream_id = $1`, [`cert-${orderId}`])).rowCount).toBe(0);
    server.signal('SIGKILL');
    await server.exited;
    await finalize;
    await blocker.query('ROLLBACK');
    await blocker.end();

    // Nothing was issued yet; after the restart the safety-net job issues exactly one certificate.
    server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: yaml, port });
    const again = await new RawAcme(server.baseUrl).init();
    let body = (await again.post(orderUrl, '', key, { kid })).body;
    for (let i = 0; i < 300 && body.status !== 'valid'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await again.post(orderUrl, '', key, { kid })).body;
    }
    expect(body.status).toBe('valid');
    const check = new Client({ connectionString: db.url });
    await check.connect();
    try {
      const types = (await check.query(`SELECT event_type FROM es_events WHERE stream_id = $1 ORDER BY stream_position`, [`order-${orderId}`])).rows.map((r) => r.event_type);
      expect(types.filter((t) => t === 'OrderCertificateIssued')).toHaveLength(1);
      expect(types.filter((t) => t === 'OrderFinalizationRequested')).toHaveLength(1);
      const certs = await check.query(`SELECT count(*)::int AS n FROM es_events WHERE stream_id = $1 AND event_type = 'CertificateIssued'`, [`cert-${orderId}`]);
      expect(certs.rows[0].n).toBe(1);
      expect((await check.query('SELECT count(*)::int AS n FROM rm_certificates WHERE order_id = $1', [orderId])).rows[0].n).toBe(1);
      // Its safety-net job was removed by the transaction that recorded the certificate.
      const leftover = await check.query(`SELECT count(*)::int AS n FROM certledger_jobs.job WHERE name = 'order-issuance' AND state IN ('created', 'retry', 'active')`);
      expect(leftover.rows[0].n).toBe(0);
    } finally {
      await check.end();
    }
  }, 120_000);
});

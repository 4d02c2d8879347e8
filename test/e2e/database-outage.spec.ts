import { calculateJwkThumbprint } from 'jose';
import { Client } from 'pg';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { RawAcme, testAccountKey } from '../../bench/support/raw-acme';
import { makeCsr } from '../support/csr';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { dataDirectory } from '../support/data-dir';
import { type ServerProcess, startServer } from '../support/server-process';
import { TcpProxy } from '../support/tcp-proxy';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The database goes away under a running server (every connection dropped, new ones refused) and
 * comes back: the process survives, ACME requests get 503 with Retry-After and a problem document
 * meanwhile, and afterwards a complete flow succeeds without a restart.
 */
describe('database outage', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let proxy: TcpProxy;
  let server: ServerProcess;

  beforeAll(async () => {
    db = await createTestDatabase('outage');
    rig = await new ChallengeRig().start();
    const target = new URL(db.url);
    proxy = await new TcpProxy({ host: target.hostname, port: Number(target.port) }).start();
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    server = await startServer({
      env: { DATABASE_URL: viaProxy.toString() },
      configYaml: (port) => `data_dir: ${dataDirectory()}\nserver:\n  listen: 127.0.0.1:${port}\ndatabase:\n  connect_timeout: 2s\n${rig.validationYaml()}\n`,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.stop();
    await rig?.stop();
    await db?.drop();
  });

  test('503 with Retry-After during the outage, never 500; the process survives and serves again', async () => {
    const acme = await new RawAcme(server.baseUrl).init();
    const key = await testAccountKey('ES256');
    const created = await acme.post(acme.directory.newAccount, { termsOfServiceAgreed: true }, key);
    expect(created.status).toBe(201);
    const kid = created.headers.get('location')!;
    // Signed while the database is there; sent while it is away (the account lookup and the nonce need it).
    const nonce = await acme.nonce();
    const signed = await acme.sign(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: 'outage.test' }] }, key, { kid, nonce });

    proxy.outage();
    let r = await acme.send(acme.directory.newOrder, signed);
    for (let i = 0; i < 3 && r.status !== 503; i++) r = await acme.send(acme.directory.newOrder, signed);
    expect(r.status).toBe(503);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ type: 'urn:ietf:params:acme:error:serverInternal', status: 503 });
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(503);
    // Background loops keep failing against a closed port for a while: nothing ends the process.
    await sleep(3000);
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);

    proxy.restore();
    for (let i = 0; i < 200 && (await fetch(`${server.baseUrl}/readyz`)).status !== 200; i++) await sleep(100);
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
    expect(server.logs()).not.toMatch(/unexpected error reached the process|Unhandled 'error' event/);

    // A complete flow works after the outage without a restart.
    const order = await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: 'outage.test' }] }, key, { kid });
    expect(order.status).toBe(201);
    const authz = await acme.post(order.body.authorizations[0], '', key, { kid });
    const ch = authz.body.challenges.find((c: { type: string }) => c.type === 'http-01');
    rig.http.set(ch.token, `${ch.token}.${await calculateJwkThumbprint(key.jwk, 'sha256')}`);
    expect((await acme.post(ch.url, {}, key, { kid })).status).toBe(200);
    const orderUrl = order.headers.get('location')!;
    let o = order.body;
    for (let i = 0; i < 200 && o.status !== 'ready'; i++) {
      await sleep(100);
      o = (await acme.post(orderUrl, '', key, { kid })).body;
    }
    expect(o.status).toBe('ready');
    const csr = (await makeCsr(['outage.test'])).toString('base64url');
    expect((await acme.post(o.finalize, { csr }, key, { kid })).status).toBe(200);
    for (let i = 0; i < 200 && o.status !== 'valid'; i++) {
      await sleep(100);
      o = (await acme.post(orderUrl, '', key, { kid })).body;
    }
    expect(o.status).toBe('valid');
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      expect((await c.query(`SELECT count(*)::int AS n FROM es_checkpoints WHERE status = 'failed'`)).rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });
});

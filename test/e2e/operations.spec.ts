import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { calculateJwkThumbprint } from 'jose';
import { Client } from 'pg';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { RawAcme, testAccountKey } from '../../bench/support/raw-acme';
import { makeCsr } from '../support/csr';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type ServerProcess, startServer } from '../support/server-process';
import { TcpProxy } from '../support/tcp-proxy';
import { dataDirectory } from '../support/data-dir';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await sleep(100);
  }
}

describe('operations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('ops');
  });
  afterAll(async () => db.drop());

  test('health: stopping the database turns /readyz and /healthz 503, and they recover', async () => {
    const target = new URL(db.url);
    const proxy = await new TcpProxy({ host: target.hostname, port: Number(target.port) }).start();
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const server = await startServer({
      env: { DATABASE_URL: viaProxy.toString() },
      configYaml: (port) => `data_dir: ${dataDirectory()}\nserver:\n  listen: 127.0.0.1:${port}\ndatabase:\n  connect_timeout: 2s\n`,
    });
    try {
      const health = await (await fetch(`${server.baseUrl}/healthz`)).json() as Record<string, any>;
      expect(health.status).toBe('ok');
      expect(health.checks.database).toMatchObject({ status: 'ok', critical: true, pool: { max: 10 } });
      expect(health.checks.ca_backend).toMatchObject({ status: 'ok', backend: 'internal' });
      expect(health.checks.smtp.critical).toBe(false);

      proxy.outage();
      const ready = await until(() => fetch(`${server.baseUrl}/readyz`), (r) => r.status === 503);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { ready: boolean; reason: string })).toMatchObject({ ready: false, reason: expect.stringMatching(/^database unavailable/) });
      const down = await fetch(`${server.baseUrl}/healthz`);
      expect(down.status).toBe(503);
      expect(((await down.json()) as Record<string, any>).checks.database.status).toBe('error');
      expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);

      proxy.restore();
      const back = await until(() => fetch(`${server.baseUrl}/readyz`), (r) => r.status === 200);
      expect(back.status).toBe(200);
      expect((await until(() => fetch(`${server.baseUrl}/healthz`), (r) => r.status === 200)).status).toBe(200);
    } finally {
      await server.stop();
      await proxy.stop();
    }
  }, 90_000);

  test('load shedding: a saturated pool answers 503 with Retry-After and a problem document, then recovers', async () => {
    const server = await startServer({
      env: { DATABASE_URL: db.url },
      configYaml: (port) => `data_dir: ${dataDirectory()}\nserver:\n  listen: 127.0.0.1:${port}\ndatabase:\n  pool_max: 4\n  connect_timeout: 3s\n`,
    });
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    try {
      // Signed requests redeem their nonce after the signature checks; with the redeemed set
      // locked, each of them now waits there while holding a pool connection.
      const acme = await new RawAcme(server.baseUrl).init();
      const keys = await Promise.all(Array.from({ length: 8 }, () => testAccountKey()));
      const bodies = await Promise.all(keys.map((k) => acme.sign(acme.directory.newAccount, { termsOfServiceAgreed: true }, k)));
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE acme_redeemed_nonces IN ACCESS EXCLUSIVE MODE');
      const inflight = bodies.map((b) => acme.send(acme.directory.newAccount, b).catch(() => null));
      // Once the redemptions hold the pool, the next request is shed before any database work.
      const shed = await until(() => fetch(`${server.baseUrl}/acme/new-nonce`), (r) => r.status === 503);
      expect(shed.status).toBe(503);
      expect(Number(shed.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
      expect(shed.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await shed.json()) as { type: string }).type).toBe('urn:ietf:params:acme:error:serverInternal');
      // Health endpoints are never shed.
      expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);
      await blocker.query('ROLLBACK');
      await Promise.all(inflight);
      const ok = await until(() => fetch(`${server.baseUrl}/acme/new-nonce`), (r) => r.status === 204);
      expect(ok.status).toBe(204);
      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/certledger_requests_shed_total\{tier="(exhausted|critical|pressure)"\} [1-9]/);
    } finally {
      await blocker.end();
      await server.stop();
    }
  }, 60_000);

  test('server.workers: 2 serves one port from two processes; one scrape shows the totals; SIGTERM stops all', async () => {
    const server = await startServer({
      env: { DATABASE_URL: db.url },
      configYaml: (port) => `data_dir: ${dataDirectory()}\nserver:\n  listen: 127.0.0.1:${port}\n  workers: 2\n`,
    });
    try {
      const children = execFileSync('pgrep', ['-P', String(server.child.pid)], { encoding: 'utf8' }).trim().split('\n');
      expect(children.filter((pid) => execFileSync('ps', ['-o', 'comm=', '-p', pid], { encoding: 'utf8' }).trim() === 'node')).toHaveLength(2);
      for (let i = 0; i < 40; i++) expect((await fetch(`${server.baseUrl}/directory`)).status).toBe(200);
      // The primary gathers every worker's registry with a 5 s limit per scrape; on a busy machine a
      // scrape may come back as "# metrics aggregation failed", and the next one is asked for.
      let text = '';
      for (const end = Date.now() + 30_000; Date.now() < end; ) {
        text = await (await fetch(`${server.baseUrl}/metrics`)).text();
        if (!text.startsWith('# metrics aggregation failed')) break;
      }
      const served = [...text.matchAll(/^certledger_http_requests_total\{method="GET",status="200"\} (\d+)/gm)].map((m) => Number(m[1]));
      expect({ served, scrape: text.slice(0, 200) }).toEqual({ served: [expect.any(Number)], scrape: expect.any(String) });
      expect(served[0]).toBeGreaterThanOrEqual(40);
      // Totals read from the database are reported once, not once per worker.
      const accounts = Number(/^certledger_accounts_created_total (\d+)/m.exec(text)?.[1]);
      const c = new Client({ connectionString: db.url });
      await c.connect();
      const inDb = (await c.query(`SELECT count(*)::int AS n FROM es_events WHERE event_type = 'AccountRegistered'`)).rows[0].n;
      await c.end();
      expect(accounts).toBe(inDb);
      expect(await server.stop()).toBe(0);
      for (const pid of children) expect(() => process.kill(Number(pid), 0)).toThrow();
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  }, 90_000);

  describe('with one running server', () => {
    let server: ServerProcess;
    let rig: ChallengeRig;
    let yaml: (port: number, extra?: string) => string;
    let dataDir: string;

    beforeAll(async () => {
      rig = await new ChallengeRig().start();
      dataDir = dataDirectory();
      yaml = (port, extra = '') =>
        `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n  trusted_proxies: ["127.0.0.1/32"]\n  shutdown_timeout: 2s\nworkers:\n  drain_timeout: 2s\n  lease: 2s\nmetrics:\n  token: s3cret\n${rig.validationYaml()}\n${extra}`;
      server = await startServer({
        env: { DATABASE_URL: db.url },
        configYaml: (port) => yaml(port),
      });
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      await rig.stop();
    });

    test('X-Request-ID is echoed, or generated when absent or unsafe', async () => {
      const echoed = await fetch(`${server.baseUrl}/directory`, { headers: { 'X-Request-ID': 'trace-123' } });
      expect(echoed.headers.get('x-request-id')).toBe('trace-123');
      const generated = await fetch(`${server.baseUrl}/directory`);
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const unsafe = await fetch(`${server.baseUrl}/directory`, { headers: { 'X-Request-ID': 'a b<script>' } });
      expect(unsafe.headers.get('x-request-id')).not.toBe('a b<script>');
      expect(server.logs()).toContain('"reqId":"trace-123"');
    });

    test('the client IP comes from X-Forwarded-For when the peer is a trusted proxy, and is recorded in events', async () => {
      const acme = await new RawAcme(server.baseUrl).init();
      const key = await testAccountKey();
      const jws = await acme.sign(acme.directory.newAccount, { termsOfServiceAgreed: true }, key);
      const r = await fetch(acme.directory.newAccount, {
        method: 'POST',
        headers: { 'Content-Type': 'application/jose+json', 'X-Forwarded-For': '203.0.113.9', 'X-Request-ID': 'acct-req-1' },
        body: JSON.stringify(jws),
      });
      expect(r.status).toBe(201);
      const c = new Client({ connectionString: db.url });
      await c.connect();
      const row = await c.query(`SELECT metadata FROM es_events WHERE event_type = 'AccountRegistered' AND metadata->>'requestId' = 'acct-req-1'`);
      await c.end();
      expect(row.rows[0].metadata).toMatchObject({ sourceIp: '203.0.113.9', requestId: 'acct-req-1', serverId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    });

    test('metrics: bearer token required, ACME totals, pool and projection gauges', async () => {
      expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(401);
      const text = await (await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: 'Bearer s3cret' } })).text();
      for (const name of [
        'certledger_http_requests_total',
        'certledger_http_request_duration_seconds_bucket',
        'certledger_accounts_created_total',
        'certledger_orders_created_total',
        'certledger_certificates_issued_total',
        'certledger_certificates_revoked_total',
        'certledger_challenges_validated_total',
        'certledger_db_pool_connections{pool="requests",state="idle"}',
        'certledger_projection_lag_events{projection="accounts"}',
        'certledger_jobs_pending{queue="challenge-validation"}',
        'certledger_certificates_expiring{within_days="30"}',
        'certledger_uptime_seconds',
      ]) {
        expect(text).toContain(name);
      }
      expect(text).toMatch(/certledger_accounts_created_total [1-9]/);
    });

    test('metrics: events this instance committed, by type, reach /metrics through the event bus', async () => {
      const acme = await new RawAcme(server.baseUrl).init();
      await acme.account(await testAccountKey());
      const scrape = async () => (await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: 'Bearer s3cret' } })).text();
      const text = await until(scrape, (t) => /certledger_events_committed_total\{type="AccountRegistered"\} [1-9]/.test(t));
      expect(text).toMatch(/certledger_events_committed_total\{type="AccountRegistered"\} [1-9]/);
    });

    test('SIGHUP applies the log level, reports what needs a restart, and keeps serving', async () => {
      writeFileSync(server.configPath!, yaml(server.port, 'logging:\n  level: debug\nacme:\n  order_lifetime: 1d\n'));
      server.signal('SIGHUP');
      await until(async () => server.logs(), (l) => l.includes('SIGHUP: configuration reloaded'));
      expect(server.logs()).toMatch(/"applied":\["logging.level"\].*SIGHUP: configuration reloaded/);
      expect(server.logs()).toMatch(/"keys":\[[^\]]*"acme.order_lifetime"[^\]]*\].*need a restart/);
      expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);
    });

    test('SIGTERM during a slow validation exits 0; after restart the order completes', async () => {
      const acme = await new RawAcme(server.baseUrl).init();
      const key = await testAccountKey();
      const kid = await acme.account(key);
      const name = 'slow.ops.test';
      const o = await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: name }] }, key, { kid });
      const authz = await acme.post(o.body.authorizations[0], '', key, { kid });
      const ch = authz.body.challenges.find((c: { type: string }) => c.type === 'http-01');
      rig.http.set(ch.token, `${ch.token}.${await calculateJwkThumbprint(key.jwk, 'sha256')}`);
      rig.httpDelayMs = 30_000;
      await acme.post(ch.url, {}, key, { kid });
      await until(async () => rig.httpHits.get(ch.token) ?? 0, (n) => n > 0);
      server.signal('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.logs()).toContain('shutting down');
      rig.httpDelayMs = 0;
      server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: (port) => yaml(port), port: server.port });
      const again = await new RawAcme(server.baseUrl).init();
      const url = o.headers.get('location')!;
      const ready = await until(async () => (await again.post(url, '', key, { kid })).body.status, (s) => s === 'ready', 30_000);
      expect(ready).toBe('ready');
      let body = (await again.post(o.body.finalize, { csr: (await makeCsr([name])).toString('base64url') }, key, { kid })).body;
      body = body.status === 'valid' ? body : (await until(async () => (await again.post(url, '', key, { kid })).body, (b) => b.status === 'valid'));
      expect(body.status).toBe('valid');
    }, 90_000);
  });
});

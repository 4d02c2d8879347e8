import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { Pool } from 'pg';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { RawAcme, type RawResponse, testAccountKey, type TestKey } from '../../bench/support/raw-acme';
import { makeCsr } from '../support/csr';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { dataDirectory } from '../support/data-dir';
import { runCli, type ServerProcess, startServer, writeConfig } from '../support/server-process';

const SECRET = 'rate-limit-test-token-secret-of-at-least-32-characters';

/**
 * A client seen from its own address (X-Forwarded-For through the trusted loopback proxy) that
 * reuses each response's Replay-Nonce, as real ACME clients do, so only its explicit newNonce
 * requests count against the nonce limit.
 */
class Client extends RawAcme {
  private saved: string | null = null;
  /** Where requests go: another instance of the same fleet (same external URL) when set. */
  private target: string | null = null;
  constructor(baseUrl: string, readonly ip: string) {
    super(baseUrl);
  }
  override async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const to = this.target && url.startsWith(this.baseUrl) ? this.target + url.slice(this.baseUrl.length) : url;
    const r = await super.fetch(to, { ...init, headers: { ...(init.headers as Record<string, string>), 'X-Forwarded-For': this.ip } });
    const nonce = r.headers.get('replay-nonce');
    if (nonce) this.saved = nonce;
    return r;
  }
  override async nonce(): Promise<string> {
    const saved = this.saved;
    this.saved = null;
    if (saved) return saved;
    const fresh = await super.nonce();
    this.saved = null;
    return fresh;
  }
  /** The same client (address, URLs), its requests sent to another instance of the fleet. */
  on(server: ServerProcess): Client {
    const other = new Client(this.baseUrl, this.ip);
    other.directory = this.directory;
    other.target = server.baseUrl;
    return other;
  }
}

/** Every rate limit driven past its threshold over HTTP, its count shared by two instances on one database. */
describe('rate limits', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let a: ServerProcess;
  let b: ServerProcess;
  let pool: Pool;
  const dataA = dataDirectory('rl-a');
  let ip = 0;
  const nextIp = () => `203.0.113.${++ip}`;

  const yaml = (dataDir: string, externalUrl?: () => string) => (port: number) =>
    [
      `data_dir: ${dataDir}`,
      'server:',
      `  listen: 127.0.0.1:${port}`,
      // Both instances serve the same URLs, as behind one load balancer.
      ...(externalUrl ? [`  external_url: ${externalUrl()}`] : []),
      '  trusted_proxies: ["127.0.0.1"]',
      'admin:',
      '  enabled: true',
      `  token_secret: ${SECRET}`,
      'rate_limits:',
      '  new_accounts_per_ip: { count: 3, period: 1h }',
      '  new_accounts_per_ipv6_48: { count: 4, period: 1h }',
      '  new_orders_per_account: { count: 4, period: 1h }',
      '  pending_authorizations_per_account: 6',
      '  failed_validations_per_account_and_hostname: { count: 1, period: 1h }',
      '  certificates_per_registered_domain: { count: 2, period: 1h }',
      '  duplicate_certificates: { count: 2, period: 1h }',
      '  new_nonces_per_ip: { count: 5, period: 1h }',
      rig.validationYaml(),
      '',
    ].join('\n');

  beforeAll(async () => {
    db = await createTestDatabase('rate_limits');
    rig = await new ChallengeRig().start();
    a = await startServer({ env: { DATABASE_URL: db.url }, configYaml: yaml(dataA) });
    b = await startServer({ env: { DATABASE_URL: db.url }, configYaml: yaml(dataDirectory('rl-b'), () => a.baseUrl) });
    pool = new Pool({ connectionString: db.url, max: 2 });
    pool.on('error', () => undefined);
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await Promise.all([a?.stop(), b?.stop()]);
    await rig?.stop();
    await db?.drop();
  });

  async function client(server: ServerProcess, address = nextIp()): Promise<Client> {
    const c = await new Client(a.baseUrl, address).init();
    return server === a ? c : c.on(server);
  }

  function expectLimited(r: RawResponse, limit: string, detail: RegExp) {
    expect(r.status).toBe(429);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body.type).toBe('urn:ietf:params:acme:error:rateLimited');
    expect(r.body.limit).toBe(limit);
    expect(r.body.detail).toMatch(detail);
    expect(r.body.detail).toMatch(/retry after \d{4}-\d\d-\d\dT[\d:.]+Z/);
    const retryAfter = Number(r.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600).toBe(true);
    expect(r.headers.get('link')).toContain(`;rel="help"`);
    expect(r.headers.get('link')).toContain(`;rel="index"`);
    return retryAfter;
  }

  async function account(c: Client): Promise<{ key: TestKey; kid: string }> {
    const key = await testAccountKey();
    return { key, kid: await c.account(key) };
  }

  const order = (c: Client, who: { key: TestKey; kid: string }, names: string[]) =>
    c.post(c.directory.newOrder, { identifiers: names.map((value) => ({ type: 'dns', value })) }, who.key, { kid: who.kid });

  async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const v = await f();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** An order for `names`, validated through http-01 when needed and finalized: its certificate URL. */
  async function issue(c: Client, who: { key: TestKey; kid: string }, names: string[]): Promise<string> {
    const o = await order(c, who, names);
    expect([o.status, o.body.detail]).toEqual([201, undefined]);
    const orderUrl = o.headers.get('location')!;
    for (const authzUrl of o.body.authorizations as string[]) {
      const authz = await c.post(authzUrl, '', who.key, { kid: who.kid });
      if (authz.body.status === 'valid') continue;
      const ch = authz.body.challenges.find((x: { type: string }) => x.type === 'http-01');
      rig.http.set(ch.token, `${ch.token}.${await calculateJwkThumbprint(who.key.jwk, 'sha256')}`);
      expect((await c.post(ch.url, {}, who.key, { kid: who.kid })).status).toBe(200);
    }
    await until('a ready order', async () => ((await c.post(orderUrl, '', who.key, { kid: who.kid })).body.status === 'ready' ? true : undefined));
    const csr = (await makeCsr(names)).toString('base64url');
    const fin = await c.post(o.body.finalize, { csr }, who.key, { kid: who.kid });
    expect(fin.body.status).toBe('valid');
    return fin.body.certificate;
  }

  test('new nonces per IP address: explicit newNonce requests only, counted across instances', async () => {
    const address = nextIp();
    const head = (s: ServerProcess) => fetch(`${s.baseUrl}/acme/new-nonce`, { method: 'HEAD', headers: { 'X-Forwarded-For': address } });
    for (let i = 0; i < 3; i++) expect((await head(a)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await head(b)).status).toBe(200);
    const refused = await fetch(`${b.baseUrl}/acme/new-nonce`, { headers: { 'X-Forwarded-For': address } });
    const body = await refused.json();
    expectLimited({ status: refused.status, headers: refused.headers, body }, 'new_nonces_per_ip', new RegExp(`new nonces per IP address from ${address.replace(/\./g, '\\.')}: limit 5 per 1h`));
    // One nonce refills every 12 minutes.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(700);
    // Other responses still carry a Replay-Nonce: the directory is not a newNonce request.
    const dir = await fetch(`${a.baseUrl}/directory`, { headers: { 'X-Forwarded-For': address } });
    expect(dir.headers.get('replay-nonce')).toBeTruthy();
  });

  test('new accounts per IP address, counted across instances; an existing account is found without counting', async () => {
    const onA = await client(a);
    const onB = onA.on(b);
    const first = await account(onA);
    await account(onA);
    await account(onB);
    expectLimited(await onB.post(onB.directory.newAccount, { termsOfServiceAgreed: true }, await testAccountKey()), 'new_accounts_per_ip', new RegExp(`new accounts per IP address from ${onA.ip.replace(/\./g, '\\.')}: limit 3 per 1h`));
    expect((await onA.post(onA.directory.newAccount, { termsOfServiceAgreed: true }, first.key)).status).toBe(200);
  });

  test('new accounts per IPv6 /48', async () => {
    for (let i = 1; i <= 4; i++) await account(await client(i % 2 ? a : b, `2001:db8:77::${i}`));
    const c = await client(b, '2001:db8:77:1::9');
    expectLimited(await c.post(c.directory.newAccount, { termsOfServiceAgreed: true }, await testAccountKey()), 'new_accounts_per_ipv6_48', /new accounts per IPv6 \/48 from 2001:db8:77::\/48: limit 4 per 1h/);
  });

  test('new orders per account, across instances; an admin override lifts it for one account', async () => {
    const onA = await client(a);
    const onB = onA.on(b);
    const who = await account(onA);
    expect((await order(onA, who, ['o1.orders.test'])).status).toBe(201);
    expect((await order(onB, who, ['o2.orders.test'])).status).toBe(201);
    expect((await order(onA, who, ['o3.orders.test'])).status).toBe(201);
    expect((await order(onB, who, ['o4.orders.test'])).status).toBe(201);
    const accountId = who.kid.split('/').pop()!;
    expectLimited(await order(onB, who, ['o5.orders.test']), 'new_orders_per_account', new RegExp(`new orders per account for account ${accountId}: limit 4 per 1h`));

    const created = runCli(['-c', writeConfig(`data_dir: ${dataA}\n`), 'admin', 'create-user', '--username', 'limits', '--role', 'admin'], { DATABASE_URL: db.url });
    const password = /password \(shown once\): (\S+)/.exec(created.stdout)![1];
    const login = await fetch(`${a.baseUrl}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'limits', password }) });
    const token = ((await login.json()) as { token: string }).token;
    const api = (path: string, body?: unknown) =>
      fetch(`${a.baseUrl}/api${path}`, { method: body ? 'POST' : 'GET', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    expect((await api('/rate-limits/overrides', { limit: 'new_orders_per_account', subject: accountId, count: 10, reason: 'load test' })).status).toBe(200);
    expect(((await (await api('/rate-limits/overrides')).json()) as { overrides: unknown[] }).overrides).toEqual([
      expect.objectContaining({ limit: 'new_orders_per_account', subject: accountId, count: 10, period: null, reason: 'load test' }),
    ]);
    // The override is an event, and the other instance applies it at once.
    expect((await order(onB, who, ['o5.orders.test'])).status).toBe(201);
    const history = await pool.query(`SELECT event_type AS type FROM es_events WHERE stream_id = $1`, [`ratelimit-new_orders_per_account~${accountId}`]);
    expect(history.rows.map((r) => r.type)).toEqual(['RateLimitOverrideSet']);
    expect((await api('/rate-limits/overrides/remove', { limit: 'new_orders_per_account', subject: accountId })).status).toBe(200);
    expectLimited(await order(onB, who, ['o6.orders.test']), 'new_orders_per_account', /limit 4 per 1h/);
  });

  test('pending authorizations per account', async () => {
    const onA = await client(a);
    const who = await account(onA);
    expect((await order(onA, who, ['p1.pending.test', 'p2.pending.test', 'p3.pending.test', 'p4.pending.test', 'p5.pending.test'])).status).toBe(201);
    const onB = onA.on(b);
    const r = await order(onB, who, ['p6.pending.test', 'p7.pending.test']);
    expectLimited(r, 'pending_authorizations_per_account', /too many pending authorizations for account \S+: 5 pending, 2 more asked, at most 6/);
    expect(r.body.detail).toMatch(/rate_limits\.pending_authorizations_per_account/);
  });

  test('failed validations per account and hostname refuse that name for that account, on every instance', async () => {
    const onA = await client(a);
    const who = await account(onA);
    const o = await order(onA, who, ['fails.failing.test']);
    const authz = await onA.post(o.body.authorizations[0], '', who.key, { kid: who.kid });
    const ch = authz.body.challenges.find((x: { type: string }) => x.type === 'http-01');
    await onA.post(ch.url, {}, who.key, { kid: who.kid }); // the rig has no answer for this token
    await until('the failed validation', async () => ((await onA.post(ch.url, '', who.key, { kid: who.kid })).body.status === 'invalid' ? true : undefined));
    await until('the failure to be counted', async () => ((await pool.query(`SELECT 1 FROM rl_buckets WHERE bucket LIKE 'failed_validations%'`)).rowCount ? true : undefined));
    const onB = onA.on(b);
    expectLimited(await order(onB, who, ['fails.failing.test']), 'failed_validations_per_account_and_hostname', /failed validations per account and hostname for fails\.failing\.test by account/);
    // Other names of the account, and the same name for another account, are not affected.
    expect((await order(onB, who, ['other.failing.test'])).status).toBe(201);
  });

  test('certificates per registered domain (renewals exempt) and for the same set of names', async () => {
    const onA = await client(a);
    const onB = onA.on(b);
    const who = await account(onA);
    await issue(onA, who, ['a.example.test']);
    await issue(onB, who, ['b.example.test']);
    // Checked already at newOrder, before any authorization is created.
    expectLimited(await order(onA, who, ['c.example.test']), 'certificates_per_registered_domain', /certificates per registered domain for example\.test: limit 2 per 1h/);
    // A renewal (the same names by the same account) is exempt from the per-domain limit…
    await issue(onB, who, ['a.example.test']);
    // …but not from the limit on the same set of names.
    expectLimited(await order(onA, who, ['a.example.test']), 'duplicate_certificates', /certificates for the same set of names for the names a\.example\.test: limit 2 per 1h/);
    // Another registered domain has its own budget.
    await issue(onA, who, ['www.example.org']);
  });

  test('each refusal is counted by limit and written to the audit log', async () => {
    const onA = await (await fetch(`${a.baseUrl}/metrics`)).text();
    expect(onA).toMatch(/certledger_rate_limited_total\{limit="certificates_per_registered_domain"\} [1-9]/);
    expect(onA).toMatch(/certledger_rate_limited_total\{limit="duplicate_certificates"\} [1-9]/);
    const onB = await (await fetch(`${b.baseUrl}/metrics`)).text();
    expect(onB).toMatch(/certledger_rate_limited_total\{limit="new_orders_per_account"\} [1-9]/);
    expect(onB).toMatch(/certledger_rate_limited_total\{limit="new_nonces_per_ip"\} [1-9]/);
    const audit = readFileSync(join(dataA, 'audit', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const refused = audit.filter((l) => l.event === 'rate_limited');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ decision: 'deny', reason: expect.any(String), source_ip: expect.stringMatching(/^203\.0\.113\./) });
    const page = await (await fetch(`${a.baseUrl}/docs/rate-limits`)).text();
    expect(page).toMatch(/new_orders_per_account: 4 new orders per account per 1h/);
  });
});

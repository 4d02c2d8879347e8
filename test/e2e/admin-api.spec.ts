import { writeFileSync } from 'node:fs';
import * as acme from 'acme-client';
import { Client } from 'pg';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { dataDirectory } from '../support/data-dir';
import { runCli, type ServerProcess, startServer, writeConfig } from '../support/server-process';

const SECRET = 'a-token-secret-of-at-least-thirty-two-characters';

/** The admin API against the real server: roles, tokens, lockout, admin actions as events, maintenance mode. */
describe('admin API', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let dataDir: string;
  let cfg: string;
  const passwords: Record<string, string> = {};

  const api = async (path: string, init: { method?: string; token?: string; body?: unknown } = {}) => {
    const r = await fetch(`${server.baseUrl}/api${path}`, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    return { status: r.status, headers: r.headers, body: (await r.json().catch(() => null)) as any };
  };
  const login = async (username: string, password = passwords[username]) => (await api('/login', { body: { username, password } })).body.token as string;

  beforeAll(async () => {
    db = await createTestDatabase('admin');
    rig = await new ChallengeRig().start();
    dataDir = dataDirectory('admin');
    const yaml = `data_dir: ${dataDir}\nadmin:\n  enabled: true\n  token_secret: ${SECRET}\n  token_ttl: 3s\n`;
    cfg = writeConfig(yaml);
    for (const [username, role] of [['alice', 'admin'], ['audrey', 'auditor'], ['locky', 'auditor'], ['pat', 'admin']]) {
      const r = runCli(['-c', cfg, 'admin', 'create-user', '--username', username, '--role', role], { DATABASE_URL: db.url });
      expect(r.status).toBe(0);
      passwords[username] = /password \(shown once\): (\S+)/.exec(r.stdout)![1];
    }
    server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: (port) => `${yaml}server:\n  listen: 127.0.0.1:${port}\n${rig.validationYaml()}\n` });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await rig?.stop();
    await db?.drop();
  });

  test('the OpenAPI document is public; everything else needs a bearer token', async () => {
    const doc = await api('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const anon = await api('/certificates');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(anon.headers.get('www-authenticate')).toBe('Bearer');
  });

  test('roles: the auditor reads but cannot act', async () => {
    const auditor = await login('audrey');
    expect((await api('/me', { token: auditor })).body).toMatchObject({ username: 'audrey', role: 'auditor' });
    expect((await api('/certificates', { token: auditor })).status).toBe(200);
    const denied = await api('/maintenance', { token: auditor, body: { enabled: true } });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/auditor role may not do this/);
    expect((await api('/accounts/x/deactivate', { token: auditor, body: {} })).status).toBe(403);
  });

  test('DTO validation errors are problem documents naming the field', async () => {
    const admin = await login('alice');
    const bad = await api('/maintenance', { token: admin, body: { enabled: 'yes', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe('urn:ietf:params:acme:error:malformed');
    expect(bad.body.detail).toMatch(/enabled must be a boolean/);
    expect(bad.body.detail).toMatch(/property extra should not exist/);
  });

  test('tokens expire, and logout revokes them', async () => {
    const t1 = await login('audrey');
    expect((await api('/logout', { token: t1, body: {} })).status).toBe(200);
    expect((await api('/me', { token: t1 })).body.detail).toMatch(/revoked/);
    const t2 = await login('audrey');
    await new Promise((r) => setTimeout(r, 4100));
    const expired = await api('/me', { token: t2 });
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/expired/);
  });

  test('a password change revokes earlier tokens', async () => {
    const old = await login('pat');
    const changed = await api('/password', { token: old, body: { current: passwords.pat, password: 'a-new-long-password' } });
    expect(changed.status).toBe(200);
    expect((await api('/me', { token: old })).body.detail).toMatch(/password changed/);
    expect((await api('/login', { body: { username: 'pat', password: passwords.pat } })).status).toBe(401);
    passwords.pat = 'a-new-long-password';
    expect((await api('/me', { token: await login('pat') })).status).toBe(200);
  });

  test('repeated failed logins slow that address down for that user', async () => {
    for (let i = 0; i < 5; i++) expect((await api('/login', { body: { username: 'locky', password: 'wrong' } })).status).toBe(401);
    const evenRight = await api('/login', { body: { username: 'locky', password: passwords.locky } });
    expect(evenRight.status).toBe(429);
    expect(evenRight.body.detail).toMatch(/too many failed logins for this user from 127\.0\.0\.1: try again after/);
  });

  test('maintenance mode refuses new orders with Retry-After, while finalizing an existing order still works', async () => {
    const client = new acme.Client({ directoryUrl: `${server.baseUrl}/directory`, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await client.createAccount({ termsOfServiceAgreed: true });
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: 'maint.admin.test' }] });
    const [authz] = await client.getAuthorizations(order);
    const ch = authz.challenges.find((c) => c.type === 'http-01')!;
    rig.http.set(ch.token, await client.getChallengeKeyAuthorization(ch));
    await client.completeChallenge(ch);
    await client.waitForValidStatus(ch);

    const admin = await login('alice');
    expect((await api('/maintenance', { token: admin, body: { enabled: true, reason: 'key ceremony' } })).body).toMatchObject({ enabled: true, reason: 'key ceremony', by: 'admin:alice' });
    const raw = await fetch(`${server.baseUrl}/acme/new-order`, { method: 'POST', headers: { 'Content-Type': 'application/jose+json' }, body: '{}' });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('60');
    expect(((await raw.json()) as { detail: string }).detail).toMatch(/maintenance: key ceremony/);
    // (acme-client itself would wait out the Retry-After and try again, as clients should.)

    const [, csr] = await acme.crypto.createCsr({ commonName: 'maint.admin.test' }, await acme.crypto.createPrivateEcdsaKey());
    const finalized = await client.finalizeOrder(order, csr);
    const valid = await client.waitForValidStatus(finalized);
    expect(valid.status).toBe('valid');
    expect((await api('/maintenance', { token: admin, body: { enabled: false } })).body.enabled).toBe(false);
    await client.createOrder({ identifiers: [{ type: 'dns', value: 'after.admin.test' }] });
  }, 60_000);

  test('admin revocation is an event with the admin as actor; history shows the state before and after', async () => {
    const admin = await login('alice');
    const certs = await api('/certificates?name=maint.admin.test&status=valid', { token: admin });
    expect(certs.body.items).toHaveLength(1);
    const cert = certs.body.items[0];
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const revoked = await api(`/certificates/${cert.certificate_id}/revoke`, { token: admin, body: { reason: 4 } });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked.reason).toBe(4);
    expect((await api(`/certificates/${cert.certificate_id}/revoke`, { token: admin, body: {} })).body.type).toBe('urn:ietf:params:acme:error:alreadyRevoked');

    const history = await api(`/history/cert-${cert.certificate_id}`, { token: admin });
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['CertificateIssued', 'CertificateRevoked']);
    expect(history.body.events[1].metadata).toMatchObject({ actor: 'admin:alice' });
    expect(history.body.state.revoked.reason).toBe(4);
    const past = await api(`/history/cert-${cert.certificate_id}?at=${encodeURIComponent(before)}`, { token: admin });
    expect(past.body.state.revoked).toBeNull();

    const authz = await api('/authorizations?identifier=maint.admin.test&status=valid', { token: admin });
    expect(authz.body.items).toHaveLength(1);
    // The audit trail follows the history in the background: wait until it shows the revocation.
    const auditor = await login('audrey');
    let audit = await api('/audit?actor=admin:alice&type=CertificateRevoked', { token: auditor });
    for (let i = 0; i < 100 && audit.body.items.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      audit = await api('/audit?actor=admin:alice&type=CertificateRevoked', { token: auditor });
    }
    expect(audit.body.items).toHaveLength(1);
    expect((await api('/certificates?status=revoked', { token: admin })).body.items.map((c: { certificate_id: string }) => c.certificate_id)).toContain(cert.certificate_id);
  });

  test('bulk revocation proceeds only when the match count is the expected one', async () => {
    const admin = await login('alice');
    for (let i = 0; i < 2; i++) {
      const c = new acme.Client({ directoryUrl: `${server.baseUrl}/directory`, accountKey: await acme.crypto.createPrivateEcdsaKey() });
      await c.createAccount({ termsOfServiceAgreed: true });
    }
    const accounts = await api('/accounts?limit=1', { token: admin });
    expect(accounts.body.items).toHaveLength(1);
    expect(accounts.body.next_cursor).toEqual(expect.any(String));
    const next = await api(`/accounts?limit=1&cursor=${accounts.body.next_cursor}`, { token: admin });
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].account_id).not.toBe(accounts.body.items[0].account_id);
    const none = await api('/certificates/revoke', { token: admin, body: { name: 'nothing.admin.test', expect: 1 } });
    expect(none.status).toBe(409);
    expect(none.body.detail).toMatch(/matches 0 unrevoked certificates, not the expected 1/);
  });

  test('an events export verifies offline, and a changed, removed or cut line is found', async () => {
    const res = await fetch(`${server.baseUrl}/api/events/export`, { headers: { Authorization: `Bearer ${await login('audrey')}` } });
    expect(res.headers.get('content-type')).toMatch(/application\/jsonl/);
    const text = await res.text();
    const lines = text.trim().split('\n');
    const final = JSON.parse(lines[lines.length - 1]);
    expect(final).toMatchObject({ final: true, count: lines.length - 1 });
    const file = (content: string) => {
      const f = writeConfig('').replace(/certledger\.yaml$/, 'export.jsonl');
      writeFileSync(f, content);
      return f;
    };
    const ok = runCli(['events', 'verify', file(text)]);
    expect(ok.stdout).toContain(`${final.count} events, chain intact, final digest ${final.digest}`);
    expect(ok.status).toBe(0);

    const changed = [...lines];
    changed[2] = changed[2].replace('"type":"', '"type":"X');
    const bad = runCli(['events', 'verify', file(changed.join('\n'))]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/:3: hash does not match the line/);
    const removed = runCli(['events', 'verify', file([...lines.slice(0, 1), ...lines.slice(2)].join('\n'))]);
    expect(removed.stderr).toMatch(/:2: prev does not match the previous line/);
    const cut = runCli(['events', 'verify', file(lines.slice(0, -1).join('\n'))]);
    expect(cut.stderr).toMatch(/final line is missing/);

    // The CLI writes the same chain.
    const out = writeConfig('').replace(/certledger\.yaml$/, 'cli-export.jsonl');
    const cli = runCli(['-c', cfg, 'events', 'export', '--out', out], { DATABASE_URL: db.url });
    expect(cli.status).toBe(0);
    expect(runCli(['events', 'verify', out]).status).toBe(0);
  });

  test('the compliance report equals what replaying the events gives, in JSON and CSV', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const r = await api(`/reports/compliance?from=${from}&to=${to}`, { token: await login('audrey') });
    expect(r.status).toBe(200);
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const replay = (type: string) => c.query(`SELECT count(*)::int AS n FROM es_events WHERE event_type = $1 AND recorded_at >= $2 AND recorded_at < $3`, [type, from, to]).then((x) => x.rows[0].n);
    expect(r.body.totals).toEqual({
      certificates_issued: await replay('CertificateIssued'),
      certificates_revoked: await replay('CertificateRevoked'),
      accounts_created: await replay('AccountRegistered'),
      eab_keys_used: await replay('EabKeyBound'),
    });
    await c.end();
    expect(r.body.totals.certificates_issued).toBeGreaterThan(0);
    expect(r.body.certificates_issued[0].validations[0]).toMatchObject({ method: 'http-01', validated_at: expect.any(String) });
    const csv = runCli(['-c', cfg, 'report', '--from', from, '--to', to, '--format', 'csv', '--section', 'revoked'], { DATABASE_URL: db.url });
    expect(csv.status).toBe(0);
    const rows = csv.stdout.trim().split('\r\n');
    expect(rows[0]).toBe('serial,account_id,revoked_at,reason');
    expect(rows).toHaveLength(r.body.totals.certificates_revoked + 1);
  });

  test('inspect shows a certificate with its history and related order', async () => {
    const certs = await api('/certificates?limit=1', { token: await login('audrey') });
    const id = certs.body.items[0].certificate_id;
    const r = runCli(['-c', cfg, 'inspect', 'certificate', id], { DATABASE_URL: db.url });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.history.map((e: { type: string }) => e.type)[0]).toBe('CertificateIssued');
    expect(out.related.order).toBe(`order-${out.state.orderId}`);
    expect(runCli(['-c', cfg, 'inspect', 'widget', 'x'], { DATABASE_URL: db.url }).status).toBe(2);
  });
});

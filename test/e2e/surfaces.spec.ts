import { RawAcme, testAccountKey } from '../../bench/support/raw-acme';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { dataDirectory } from '../support/data-dir';
import { type ServerProcess, startServer } from '../support/server-process';

const TOKEN = 'metrics-token-for-the-surfaces-test';

/** What the server shows to whom: /healthz details, the metrics token, security headers. */
describe('public surfaces', () => {
  let db: TestDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    db = await createTestDatabase('surfaces');
    server = await startServer({
      env: { DATABASE_URL: db.url },
      configYaml: (port) =>
        `data_dir: ${dataDirectory('surfaces')}\nserver:\n  listen: 127.0.0.1:${port}\n  health_details_from: []\nmetrics:\n  token: ${TOKEN}\n` +
        `admin:\n  enabled: true\n  token_secret: surfaces-test-token-secret-of-32-characters\nacme:\n  contact_domains: [example.org]\n`,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  test('/healthz shows the status to anyone, the details only with the metrics token', async () => {
    const anonymous = await fetch(`${server.baseUrl}/healthz`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: 'ok' });
    const wrong = await fetch(`${server.baseUrl}/healthz`, { headers: { Authorization: `Bearer ${TOKEN}x` } });
    expect(await wrong.json()).toEqual({ status: 'ok' });
    const detailed = await fetch(`${server.baseUrl}/healthz`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(await detailed.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'ok' }, smtp: expect.any(Object) } });
  });

  test('/metrics needs the exact token', async () => {
    expect((await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${TOKEN.slice(0, -1)}` } })).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  test('every response says nosniff; /api may not be framed; no HSTS without TLS', async () => {
    for (const path of ['/directory', '/acme/new-nonce', '/livez', '/no-such-path', '/api/openapi.json']) {
      const r = await fetch(`${server.baseUrl}${path}`);
      expect([path, r.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
      expect(r.headers.get('strict-transport-security')).toBeNull();
    }
    const api = await fetch(`${server.baseUrl}/api/openapi.json`);
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    expect(api.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
  });

  test('account contacts outside acme.contact_domains are refused, at registration and on update', async () => {
    const acme = await new RawAcme(server.baseUrl).init();
    const key = await testAccountKey();
    const refused = await acme.post(acme.directory.newAccount, { termsOfServiceAgreed: true, contact: ['mailto:ops@evil.test'] }, key);
    expect(refused.status).toBe(400);
    expect(refused.body.type).toBe('urn:ietf:params:acme:error:invalidContact');
    expect(refused.body.detail).toMatch(/accepts contact addresses at example\.org only/);
    const kid = await acme.account(key, { termsOfServiceAgreed: true, contact: ['mailto:ops@pki.example.org'] });
    const update = await acme.post(kid, { contact: ['mailto:someone@evil.test'] }, key, { kid });
    expect(update.body.type).toBe('urn:ietf:params:acme:error:invalidContact');
  });
});

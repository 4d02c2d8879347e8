import { createPrivateKey, createPublicKey } from 'node:crypto';
import * as acme from 'acme-client';
import { RawAcme } from '../../bench/support/raw-acme';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { dataDirectory } from '../support/data-dir';
import { runCli, type ServerProcess, startServer, writeConfig } from '../support/server-process';

const SECRET = 'another-token-secret-of-thirty-two-characters-at-least';

/** acme.eab_required with acme-client: keys from the admin API bind one account each; revoking a key stops its account. */
describe('External Account Binding', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let token: string;
  let directoryUrl: string;

  const api = async (path: string, body?: unknown) => {
    const r = await fetch(`${server.baseUrl}/api${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: (await r.json()) as any };
  };

  beforeAll(async () => {
    db = await createTestDatabase('eab');
    const dataDir = dataDirectory('eab');
    const yaml = `data_dir: ${dataDir}\nadmin:\n  enabled: true\n  token_secret: ${SECRET}\nacme:\n  eab_required: true\n`;
    const created = runCli(['-c', writeConfig(yaml), 'admin', 'create-user', '--username', 'ops', '--role', 'admin'], { DATABASE_URL: db.url });
    const password = /password \(shown once\): (\S+)/.exec(created.stdout)![1];
    server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: (port) => `${yaml}server:\n  listen: 127.0.0.1:${port}\n` });
    directoryUrl = `${server.baseUrl}/directory`;
    const login = await fetch(`${server.baseUrl}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'ops', password }) });
    token = ((await login.json()) as { token: string }).token;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  test('the directory says EAB is required, and an account without a binding is refused', async () => {
    const dir = (await (await fetch(directoryUrl)).json()) as { meta: { externalAccountRequired: boolean } };
    expect(dir.meta.externalAccountRequired).toBe(true);
    const client = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await expect(client.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(/requires an external account binding/);
  });

  test('a key binds one account, limits its names, is listed without its secret, and revoking it stops the account', async () => {
    const key = await api('/eab-keys', { allowed_identifiers: ['*.eab.test'], note: 'team A' });
    expect(key.status).toBe(201);
    expect(key.body.hmac_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const eab = { kid: key.body.key_id, hmacKey: key.body.hmac_key };

    const accountPem = await acme.crypto.createPrivateEcdsaKey();
    const client = new acme.Client({ directoryUrl, accountKey: accountPem, externalAccountBinding: eab });
    await client.createAccount({ termsOfServiceAgreed: true });
    expect(client.getAccountUrl()).toMatch(/\/acme\/acct\//);

    const again = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), externalAccountBinding: eab });
    await expect(again.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(/already bound to an account/);
    const forged = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), externalAccountBinding: { kid: eab.kid, hmacKey: Buffer.alloc(32, 7).toString('base64url') } });
    await expect(forged.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(/MAC does not verify/);

    await client.createOrder({ identifiers: [{ type: 'dns', value: 'www.eab.test' }] });
    await expect(client.createOrder({ identifiers: [{ type: 'dns', value: 'www.other.test' }] })).rejects.toThrow(/does not allow www\.other\.test/);
    // newAuthz applies the same names (acme-client has no newAuthz: sent by hand with the account key).
    const raw = await new RawAcme(server.baseUrl).init();
    const accountKey = { alg: 'ES256', privateKey: createPrivateKey(accountPem), jwk: createPublicKey(accountPem).export({ format: 'jwk' }) };
    const authz = (value: string) => raw.post(raw.directory.newAuthz, { identifier: { type: 'dns', value } }, accountKey as never, { kid: client.getAccountUrl() });
    const refused = await authz('www.other.test');
    expect(refused.status).toBe(400);
    expect(refused.body.type).toBe('urn:ietf:params:acme:error:rejectedIdentifier');
    expect(refused.body.detail).toMatch(/does not allow www\.other\.test/);
    expect((await authz('api.eab.test')).status).toBe(201);

    const listed = await api('/eab-keys');
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({ key_id: eab.kid, allowed_identifiers: ['*.eab.test'], note: 'team A' });
    expect(listed.body[0].bound_account_id).toEqual(expect.any(String));
    expect(JSON.stringify(listed.body)).not.toContain(eab.hmacKey);

    const revoked = await api(`/eab-keys/${eab.kid}/revoke`, { reason: 'team left' });
    expect(revoked.body.deactivated_account).toBe(listed.body[0].bound_account_id);
    await expect(client.createOrder({ identifiers: [{ type: 'dns', value: 'late.eab.test' }] })).rejects.toThrow(/account is deactivated/);
    const afterRevoke = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), externalAccountBinding: eab });
    await expect(afterRevoke.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(/was revoked|already bound/);
  }, 60_000);
});

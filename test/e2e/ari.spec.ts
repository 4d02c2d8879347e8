import * as acme from 'acme-client';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { x509 } from '../../src/ca/crypto';
import { dataDirectory } from '../support/data-dir';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { runCli, type ServerProcess, startServer, writeConfig } from '../support/server-process';

const SECRET = 'a-token-secret-for-the-ari-test-of-32-characters';
const URN = 'urn:ietf:params:acme:error:';

/**
 * ACME Renewal Information (RFC 9773): renewalInfo in the directory, the suggested window, an
 * order with `replaces` (acme-client 5.4 has no ARI support, but sends the order's fields as
 * given), and the admin's "renew these now" through the API and the CLI.
 */
describe('ARI', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let directoryUrl: string;
  let client: acme.Client;
  let token: string;
  let configFile: string;
  let renewalInfo: string;

  beforeAll(async () => {
    db = await createTestDatabase('ari');
    rig = await new ChallengeRig().start();
    const dataDir = dataDirectory('ari');
    const yaml = `data_dir: ${dataDir}\nadmin:\n  enabled: true\n  token_secret: ${SECRET}\n${rig.validationYaml()}\n`;
    configFile = writeConfig(yaml);
    const created = runCli(['-c', configFile, 'admin', 'create-user', '--username', 'ops', '--role', 'admin'], { DATABASE_URL: db.url });
    const password = /password \(shown once\): (\S+)/.exec(created.stdout)![1];
    server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: (port) => `${yaml}server:\n  listen: 127.0.0.1:${port}\n` });
    directoryUrl = `${server.baseUrl}/directory`;
    const login = await fetch(`${server.baseUrl}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'ops', password }) });
    token = ((await login.json()) as { token: string }).token;
    client = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await client.createAccount({ termsOfServiceAgreed: true });
    renewalInfo = ((await (await fetch(directoryUrl)).json()) as { renewalInfo: string }).renewalInfo;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await rig?.stop();
    await db?.drop();
  });

  async function issue(c: acme.Client, names: string[], replaces?: string) {
    const order = await c.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })), ...(replaces ? { replaces } : {}) } as never);
    for (const authz of await c.getAuthorizations(order)) {
      if (authz.status === 'valid') continue;
      const challenge = authz.challenges.find((ch) => ch.type === 'http-01')!;
      rig.http.set(challenge.token, await c.getChallengeKeyAuthorization(challenge));
      await c.completeChallenge(challenge);
      await c.waitForValidStatus(challenge);
    }
    const [, csr] = await acme.crypto.createCsr({ altNames: names }, await acme.crypto.createPrivateEcdsaKey());
    return { order, pem: await c.getCertificate(await c.finalizeOrder(order, csr)) };
  }

  /** RFC 9773 §4.1, computed here from the certificate itself. */
  function certIdOf(pem: string) {
    const cert = new x509.X509Certificate(pem.split(/(?<=-----END CERTIFICATE-----)/)[0].trim());
    const aki = Buffer.from(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId!, 'hex').toString('base64url');
    return { certId: `${aki}.${Buffer.from(cert.serialNumber, 'hex').toString('base64url')}`, cert };
  }

  const window = async (certId: string) => {
    const r = await fetch(`${renewalInfo}/${certId}`);
    return { status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as any };
  };

  test('the directory names renewalInfo; a certificate gets the first half of its last third, with Retry-After', async () => {
    expect(renewalInfo).toBe(`${server.baseUrl}/acme/renewal-info`);
    const { pem } = await issue(client, ['window.ari.test']);
    const { certId, cert } = certIdOf(pem);
    const r = await window(certId);
    expect(r.status).toBe(200);
    expect(r.retryAfter).toBe('21600');
    const validity = cert.notAfter.getTime() - cert.notBefore.getTime();
    expect(new Date(r.body.suggestedWindow.start).getTime()).toBe(cert.notAfter.getTime() - validity / 3);
    expect(new Date(r.body.suggestedWindow.end).getTime()).toBe(cert.notAfter.getTime() - validity / 6);
  }, 60_000);

  test('unknown and malformed certIDs', async () => {
    expect((await window('aYgqPA.AIda')).status).toBe(404);
    const bad = await window('not-a-cert-id');
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe(`${URN}malformed`);
  });

  test('replaces: a renewal order names the certificate; a second one is 409 alreadyReplaced; another account may not', async () => {
    const { pem } = await issue(client, ['renew.ari.test']);
    const { certId } = certIdOf(pem);
    const renewal = await client.createOrder({ identifiers: [{ type: 'dns', value: 'renew.ari.test' }], replaces: certId } as never);
    // The name's authorization is reused, so the renewal is ready at once; it names what it replaces.
    expect(renewal as unknown).toMatchObject({ status: 'ready', replaces: certId });
    await expect(client.createOrder({ identifiers: [{ type: 'dns', value: 'renew.ari.test' }], replaces: certId } as never)).rejects.toThrow(/is already replaced by order/);
    const stranger = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await stranger.createAccount({ termsOfServiceAgreed: true });
    await expect(stranger.createOrder({ identifiers: [{ type: 'dns', value: 'renew.ari.test' }], replaces: certId } as never)).rejects.toThrow(/was not issued to this account/);
  }, 60_000);

  test('an issued replacement keeps the certificate replaced; the replacement itself can be replaced', async () => {
    const first = await issue(client, ['chain.ari.test']);
    const second = await issue(client, ['chain.ari.test'], certIdOf(first.pem).certId);
    await expect(client.createOrder({ identifiers: [{ type: 'dns', value: 'chain.ari.test' }], replaces: certIdOf(first.pem).certId } as never)).rejects.toThrow(/already replaced/);
    await issue(client, ['chain.ari.test'], certIdOf(second.pem).certId);
  }, 60_000);

  test('admin "renew now" (API, then CLI): the window moves into the past, recorded with the admin and the reason', async () => {
    const a = await issue(client, ['incident.ari.test']);
    const b = await issue(client, ['incident2.ari.test']);
    const api = async (path: string, body: unknown) => {
      const r = await fetch(`${server.baseUrl}/api${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as any };
    };
    expect((await api('/certificates/renew-now', { name: 'incident.ari.test', reason: 'CA incident 7', expect: 2 })).status).toBe(409);
    const moved = await api('/certificates/renew-now', { name: 'incident.ari.test', reason: 'CA incident 7', expect: 1 });
    expect(moved.status).toBe(200);
    expect(moved.body.certificates).toHaveLength(1);
    const w = (await window(certIdOf(a.pem).certId)).body.suggestedWindow;
    expect(new Date(w.end).getTime()).toBeLessThan(Date.now());
    const history = await fetch(`${server.baseUrl}/api/history/cert-${moved.body.certificates[0]}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(JSON.stringify(await history.json())).toMatch(/CertificateRenewalRequested.*CA incident 7|CA incident 7.*CertificateRenewalRequested/s);

    const cli = runCli(['-c', configFile, 'admin', 'renew-now', '--name', 'incident2.ari.test', '--reason', 'CA incident 8', '--expect', '1'], { DATABASE_URL: db.url });
    expect(cli.stdout).toMatch(/renewal requested for 1 certificate/);
    expect(new Date((await window(certIdOf(b.pem).certId)).body.suggestedWindow.end).getTime()).toBeLessThan(Date.now());
  }, 90_000);
});

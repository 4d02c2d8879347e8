import { X509Certificate } from 'node:crypto';
import * as acme from 'acme-client';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { dataDirectory } from '../support/data-dir';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type ServerProcess, startServer } from '../support/server-process';

/**
 * IP identifiers (RFC 8738) with acme-client. Its auto() orders dns identifiers only, so the
 * steps are driven one by one; its CSRs and tls-alpn-01 certificates put an IP in an iPAddress
 * entry. The lab setting validation.allow_private_networks lets 127.0.0.1 be validated.
 */
describe('IP identifiers', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let client: acme.Client;

  beforeAll(async () => {
    db = await createTestDatabase('ip_identifiers');
    rig = await new ChallengeRig().start();
    const dataDir = dataDirectory('ip-identifiers');
    server = await startServer({
      env: { DATABASE_URL: db.url },
      configYaml: (port) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n${rig.validationYaml()}\n`,
    });
    client = new acme.Client({ directoryUrl: `${server.baseUrl}/directory`, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await client.createAccount({ termsOfServiceAgreed: true });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await rig?.stop();
    await db?.drop();
  });

  async function issueIp(ip: string, type: 'http-01' | 'tls-alpn-01', c = client) {
    const order = await c.createOrder({ identifiers: [{ type: 'ip', value: ip }] });
    const [authz] = await c.getAuthorizations(order);
    expect(authz.identifier).toEqual({ type: 'ip', value: ip });
    expect(authz.challenges.map((c) => c.type).sort()).toEqual(['http-01', 'tls-alpn-01']);
    const challenge = authz.challenges.find((c) => c.type === type)!;
    const keyAuthorization = await c.getChallengeKeyAuthorization(challenge);
    if (type === 'http-01') rig.http.set(challenge.token, keyAuthorization);
    else {
      const [key, cert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization);
      // RFC 8738 §6: the validation server names the address by its reverse-DNS name in SNI.
      rig.alpn.set(`${ip.split('.').reverse().join('.')}.in-addr.arpa`, { key: key.toString(), cert: cert.toString() });
    }
    await c.completeChallenge(challenge);
    await c.waitForValidStatus(challenge);
    const [, csr] = await acme.crypto.createCsr({ altNames: [ip] }, await acme.crypto.createPrivateEcdsaKey());
    return new X509Certificate(await c.getCertificate(await c.finalizeOrder(order, csr)));
  }

  test('acme-client gets a certificate for 127.0.0.1 through http-01: an iPAddress SAN', async () => {
    const cert = await issueIp('127.0.0.1', 'http-01');
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1');
  }, 60_000);

  test('tls-alpn-01 for an IP address, with the reverse name as SNI', async () => {
    // Another account, so the authorization of the test above is not reused.
    const other = new acme.Client({ directoryUrl: `${server.baseUrl}/directory`, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await other.createAccount({ termsOfServiceAgreed: true });
    const cert = await issueIp('127.0.0.1', 'tls-alpn-01', other);
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1');
  }, 60_000);

  test('a malformed address is rejectedIdentifier', async () => {
    await expect(client.createOrder({ identifiers: [{ type: 'ip', value: '127.0.0.01' }] })).rejects.toThrow(/invalid IP identifier/);
  });
});

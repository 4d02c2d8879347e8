import { X509Certificate } from 'node:crypto';
import * as acme from 'acme-client';
import type { Pool } from 'pg';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { dataDirectory } from '../support/data-dir';
import { createTestDatabase, type TestDatabase, testPool } from '../support/database';
import { type ServerProcess, startServer } from '../support/server-process';

const DAY_MS = 86_400_000;

/**
 * Certificate profiles (ACME profiles extension) with acme-client, which sends an order's
 * `profile` as given (its auto() does not know the field, so the steps are driven one by one).
 */
describe('certificate profiles', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let directoryUrl: string;
  let client: acme.Client;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('profiles');
    rig = await new ChallengeRig().start();
    const dataDir = dataDirectory('profiles');
    const profiles = [
      'acme:',
      '  default_profile: classic',
      '  profiles:',
      '    - name: classic',
      '      description: 90 days, any key, wildcards',
      '    - name: shortlived',
      '      description: 6 days, ECDSA only, no wildcards, no common name',
      '      validity_days: 6',
      '      key_types: [ec]',
      '      allow_wildcard: false',
      '      common_name: false',
    ].join('\n');
    server = await startServer({
      env: { DATABASE_URL: db.url },
      configYaml: (port) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n${profiles}\n${rig.validationYaml()}\n`,
    });
    directoryUrl = `${server.baseUrl}/directory`;
    client = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await client.createAccount({ termsOfServiceAgreed: true });
    pool = testPool(db.url, 2);
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    await rig?.stop();
    await db?.drop();
  });

  async function issue(names: string[], profile?: string, key?: Buffer) {
    const order = await client.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })), ...(profile ? { profile } : {}) } as never);
    for (const authz of await client.getAuthorizations(order)) {
      const challenge = authz.challenges.find((c) => c.type === 'http-01')!;
      rig.http.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
      await client.completeChallenge(challenge);
      await client.waitForValidStatus(challenge);
    }
    const [, csr] = await acme.crypto.createCsr({ commonName: names[0], altNames: names }, key ?? (await acme.crypto.createPrivateEcdsaKey()));
    const finalized = await client.finalizeOrder(order, csr);
    return { order: finalized, pem: await client.getCertificate(finalized) };
  }

  test('the directory lists the profiles with their descriptions', async () => {
    const dir = (await (await fetch(directoryUrl)).json()) as { meta: { profiles: Record<string, string> } };
    expect(dir.meta.profiles).toEqual({ classic: '90 days, any key, wildcards', shortlived: '6 days, ECDSA only, no wildcards, no common name' });
  });

  test('acme-client orders the shortlived profile: 6 days, no CN, recorded in the order and certificate events', async () => {
    const { order, pem } = await issue(['short.profiles.test'], 'shortlived');
    expect((order as unknown as { profile: string }).profile).toBe('shortlived');
    const cert = new X509Certificate(pem);
    expect(new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(6 * DAY_MS + 120_000);
    expect(new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()).toBeGreaterThan(5 * DAY_MS);
    expect(cert.subject ?? '').toBe('');
    const orderId = order.url.split('/').pop();
    const events = (await pool.query(`SELECT event_type, schema_version, data->>'profile' AS profile FROM es_events WHERE stream_id IN ($1, $2) AND event_type IN ('OrderCreated', 'CertificateIssued') ORDER BY event_type`, [`order-${orderId}`, `cert-${orderId}`])).rows;
    expect(events).toEqual([
      { event_type: 'CertificateIssued', schema_version: 2, profile: 'shortlived' },
      { event_type: 'OrderCreated', schema_version: 2, profile: 'shortlived' },
    ]);
  }, 60_000);

  test('an order naming no profile gets the default one', async () => {
    const { order, pem } = await issue(['default.profiles.test']);
    expect((order as unknown as { profile: string }).profile).toBe('classic');
    expect(new X509Certificate(pem).subject).toBe('CN=default.profiles.test');
  }, 60_000);

  test('an unknown profile is invalidProfile; the profile limits identifiers and CSR keys', async () => {
    await expect(client.createOrder({ identifiers: [{ type: 'dns', value: 'x.profiles.test' }], profile: 'nope' } as never)).rejects.toThrow(/profile "nope" is not offered \(offered: classic, shortlived\)/);
    await expect(client.createOrder({ identifiers: [{ type: 'dns', value: '*.profiles.test' }], profile: 'shortlived' } as never)).rejects.toThrow(/profile shortlived does not allow \*\.profiles\.test/);
    await expect(issue(['rsa.profiles.test'], 'shortlived', await acme.crypto.createPrivateRsaKey(2048))).rejects.toThrow(/profile shortlived issues only for ec keys, not rsa-2048/);
  }, 60_000);
});

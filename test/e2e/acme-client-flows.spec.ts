import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as acme from 'acme-client';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { RawAcme } from '../../bench/support/raw-acme';
import { runCli, type ServerProcess, startServer, writeConfig } from '../support/server-process';
import { dataDirectory } from '../support/data-dir';

/**
 * The real server process driven by the acme-client npm package, as users' tooling does:
 * accounts, orders with http-01, dns-01 and tls-alpn-01, wildcards, ECDSA and RSA keys,
 * renewal, revocation three ways, key change and deactivation.
 */
describe('ACME flows with acme-client', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let directoryUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('acme_flows');
    rig = await new ChallengeRig().start();
    dataDir = dataDirectory('flows');
    server = await startServer({
      env: { DATABASE_URL: db.url },
      // One loopback client opens more accounts than the default per-address limit allows.
      configYaml: (port) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n${rig.validationYaml()}\nrate_limits:\n  new_accounts_per_ip: { count: 100, period: 3h }\n`,
    });
    directoryUrl = `${server.baseUrl}/directory`;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await rig?.stop();
    await db?.drop();
  });

  async function newClient(key?: Buffer): Promise<acme.Client> {
    const client = new acme.Client({ directoryUrl, accountKey: key ?? (await acme.crypto.createPrivateEcdsaKey()) });
    await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:ops@example.test'] });
    return client;
  }

  function challengeFns(type: 'http-01' | 'dns-01' | 'tls-alpn-01') {
    return {
      challengePriority: [type],
      skipChallengeVerification: true,
      challengeCreateFn: async (authz: any, challenge: any, keyAuthorization: string) => {
        if (challenge.type === 'http-01') rig.http.set(challenge.token, keyAuthorization);
        else if (challenge.type === 'dns-01') {
          const name = `_acme-challenge.${authz.identifier.value}`;
          rig.txt.set(name, [...(rig.txt.get(name) ?? []), keyAuthorization]);
        } else {
          const [key, cert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization);
          rig.alpn.set(authz.identifier.value, { key: key.toString(), cert: cert.toString() });
        }
      },
      challengeRemoveFn: async () => undefined,
    };
  }

  async function issue(client: acme.Client, names: string[], type: 'http-01' | 'dns-01' | 'tls-alpn-01', keyKind: 'ec' | 'rsa' = 'ec') {
    const key = keyKind === 'ec' ? await acme.crypto.createPrivateEcdsaKey() : await acme.crypto.createPrivateRsaKey(2048);
    const [, csr] = await acme.crypto.createCsr({ commonName: names[0], altNames: names }, key);
    const pem = await client.auto({ csr, termsOfServiceAgreed: true, ...challengeFns(type) } as never);
    return { pem, key };
  }

  test('directory lists every resource with absolute URLs', async () => {
    const dir = (await (await fetch(directoryUrl)).json()) as Record<string, unknown>;
    for (const k of ['newNonce', 'newAccount', 'newOrder', 'newAuthz', 'revokeCert', 'keyChange']) {
      expect(dir[k]).toMatch(new RegExp(`^${server.baseUrl}/acme/`));
    }
    expect(dir.meta).toEqual({ externalAccountRequired: false });
  });

  test('http-01 with an ECDSA key: the chain verifies and names the identifiers', async () => {
    const client = await newClient();
    const { pem } = await issue(client, ['www.flows.test', 'flows.test'], 'http-01');
    const [leaf, intermediate] = pem.split(/(?<=-----END CERTIFICATE-----)\n?/).filter((p) => p.includes('BEGIN'));
    const leafCert = new X509Certificate(leaf);
    const interCert = new X509Certificate(intermediate);
    expect(leafCert.subjectAltName).toBe('DNS:flows.test, DNS:www.flows.test');
    expect(leafCert.verify(interCert.publicKey)).toBe(true);
    expect(leafCert.checkIssued(interCert)).toBe(true);
  }, 60_000);

  test('dns-01 with an RSA key, and a wildcard (dns-01 only)', async () => {
    const client = await newClient();
    const { pem } = await issue(client, ['rsa.flows.test'], 'dns-01', 'rsa');
    expect(new X509Certificate(pem).subjectAltName).toBe('DNS:rsa.flows.test');
    const wildcard = await issue(client, ['*.wild.flows.test', 'wild.flows.test'], 'dns-01');
    expect(new X509Certificate(wildcard.pem).subjectAltName).toBe('DNS:*.wild.flows.test, DNS:wild.flows.test');
  }, 60_000);

  test('a wildcard order offers only dns-01', async () => {
    const client = await newClient();
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: '*.only.flows.test' }] });
    const [authz] = await client.getAuthorizations(order);
    expect(authz.challenges.map((c) => c.type)).toEqual(['dns-01']);
    expect(authz.identifier.value).toBe('only.flows.test');
    expect((authz as { wildcard?: boolean }).wildcard).toBe(true);
  });

  test('tls-alpn-01', async () => {
    const client = await newClient();
    const { pem } = await issue(client, ['alpn.flows.test'], 'tls-alpn-01');
    expect(new X509Certificate(pem).subjectAltName).toBe('DNS:alpn.flows.test');
  }, 60_000);

  test('renewal reuses the valid authorization and issues a new certificate', async () => {
    const client = await newClient();
    const first = await issue(client, ['renew.flows.test'], 'http-01');
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: 'renew.flows.test' }] });
    expect(order.status).toBe('ready');
    const [, csr] = await acme.crypto.createCsr({ commonName: 'renew.flows.test' }, await acme.crypto.createPrivateEcdsaKey());
    const finalized = await client.finalizeOrder(order, csr);
    const second = await client.getCertificate(await client.waitForValidStatus(finalized));
    expect(new X509Certificate(second).serialNumber).not.toBe(new X509Certificate(first.pem).serialNumber);
  }, 60_000);

  test('a failed validation makes the authorization and the order invalid with an actionable error', async () => {
    const client = await newClient();
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: 'wrong.flows.test' }] });
    const [authz] = await client.getAuthorizations(order);
    const challenge = authz.challenges.find((c) => c.type === 'http-01')!;
    rig.http.set(challenge.token, 'not-the-key-authorization');
    await client.completeChallenge(challenge);
    await expect(client.waitForValidStatus(challenge)).rejects.toThrow(/did not match this challenge/);
    const after = await client.getOrder(order);
    expect(after.status).toBe('invalid');
    const body = (await client.getAuthorizations(after))[0];
    expect(body.status).toBe('invalid');
    expect((body.challenges[0] as { error?: { type: string } }).error?.type).toBe('urn:ietf:params:acme:error:incorrectResponse');
  }, 60_000);

  test('revocation by the issuing account, by another authorized account, and by the certificate key', async () => {
    const owner = await newClient();
    const a = await issue(owner, ['revoke1.flows.test'], 'http-01');
    await owner.revokeCertificate(a.pem, { reason: 4 });
    await expect(owner.revokeCertificate(a.pem)).rejects.toThrow(/already revoked/);

    const b = await issue(owner, ['revoke2.flows.test'], 'http-01');
    const other = await newClient();
    await expect(other.revokeCertificate(b.pem)).rejects.toThrow(/neither issued this certificate nor holds a valid authorization/);
    await issue(other, ['revoke2.flows.test'], 'http-01');
    await other.revokeCertificate(b.pem, { reason: 1 });

    // acme-client always signs with its account key: revocation by the certificate key is sent by hand.
    const c = await issue(owner, ['revoke3.flows.test'], 'http-01');
    const raw = await new RawAcme(server.baseUrl).init();
    const certKey = { alg: 'ES256', privateKey: createPrivateKey(c.key), jwk: createPublicKey(c.key).export({ format: 'jwk' }) };
    const der = new X509Certificate(c.pem).raw.toString('base64url');
    const r = await raw.post(raw.directory.revokeCert, { certificate: der, reason: 1 }, certKey as never);
    expect(r.status).toBe(200);
    const again = await raw.post(raw.directory.revokeCert, { certificate: der }, certKey as never);
    expect(again.body.type).toBe('urn:ietf:params:acme:error:alreadyRevoked');
  }, 90_000);

  test('key change: the old key no longer works, the new one does', async () => {
    const oldKey = await acme.crypto.createPrivateEcdsaKey();
    const client = await newClient(oldKey);
    const url = client.getAccountUrl();
    const newKey = await acme.crypto.createPrivateRsaKey(2048);
    await client.updateAccountKey(newKey);
    const withNew = new acme.Client({ directoryUrl, accountKey: newKey });
    await withNew.createAccount({ onlyReturnExisting: true });
    expect(withNew.getAccountUrl()).toBe(url);
    const withOld = new acme.Client({ directoryUrl, accountKey: oldKey });
    await expect(withOld.createAccount({ onlyReturnExisting: true })).rejects.toThrow(/no account exists/);
  }, 60_000);

  test('deactivated account: every later request with its kid is unauthorized', async () => {
    const client = await newClient();
    const updated = await client.updateAccount({ status: 'deactivated' } as never);
    expect(updated.status).toBe('deactivated');
    await expect(client.createOrder({ identifiers: [{ type: 'dns', value: 'late.flows.test' }] })).rejects.toThrow(/account is deactivated/);
  }, 60_000);

  test('authorization deactivation', async () => {
    const client = await newClient();
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: 'deact.flows.test' }] });
    const [authz] = await client.getAuthorizations(order);
    const deactivated = await client.deactivateAuthorization(authz);
    expect(deactivated.status).toBe('deactivated');
    expect((await client.getOrder(order)).status).toBe('invalid');
  });

  test('the ACME read models rebuilt from the event history equal the live-built ones', async () => {
    const pool = new Pool({ connectionString: db.url });
    pool.on('error', () => undefined);
    try {
    const tables = ['rm_accounts', 'rm_orders', 'rm_authorizations', 'rm_certificates', 'rm_audit_trail'];
    const dump = async () => {
      const out: Record<string, string[]> = {};
      for (const t of tables) out[t] = (await pool.query(`SELECT to_jsonb(t)::text AS row FROM ${t} t ORDER BY 1`)).rows.map((r) => r.row);
      return out;
    };
    // The audit trail follows the feed in the background: let it reach the last event first.
    const caughtUp = async () => (await pool.query('SELECT (SELECT count(*) FROM rm_audit_trail) = (SELECT count(*) FROM es_events) AS done')).rows[0].done;
    for (let i = 0; i < 200 && !(await caughtUp()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await caughtUp()).toBe(true);
    const live = await dump();
    expect(live.rm_certificates.length).toBeGreaterThan(5);
    expect(live.rm_accounts.length).toBeGreaterThan(5);
    const r = runCli(['-c', writeConfig(`data_dir: ${dataDir}\n`), 'projections', 'rebuild'], { DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('rebuilt certificates');
    expect(await dump()).toEqual(live);
    } finally {
      await pool.end();
    }
  }, 60_000);

  test('this node wrote its security decisions to a verifiable audit chain, and every event names it', async () => {
    const cfg = writeConfig(`data_dir: ${dataDir}\n`);
    const serverId = readFileSync(join(dataDir, 'server_id'), 'utf8').trim();
    let lines: Array<{ event: string; server_id: string }> = [];
    for (let i = 0; i < 50; i++) {
      lines = readFileSync(join(dataDir, 'audit', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      if (lines.filter((l) => l.event === 'certificate.revoke').length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const kinds = new Set(lines.map((l) => l.event));
    for (const k of ['account.create', 'account.keychange', 'account.deactivate', 'order.create', 'order.finalize', 'challenge.validate', 'authorization.validate', 'certificate.issue', 'certificate.revoke']) {
      expect(kinds).toContain(k);
    }
    expect(lines.every((l) => l.server_id === serverId)).toBe(true);
    const verify = runCli(['-c', cfg, 'audit', 'verify']);
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toMatch(/\d+ lines, chain intact/);
    expect(verify.status).toBe(0);
    const servers = runCli(['audit', 'list-servers'], { DATABASE_URL: db.url });
    expect(servers.stdout).toContain(serverId);
    const pool = new Pool({ connectionString: db.url });
    const unnamed = await pool.query(`SELECT count(*)::int AS n FROM es_events WHERE metadata->>'serverId' IS DISTINCT FROM $1`, [serverId]);
    expect(unnamed.rows[0].n).toBe(0);
    await pool.end();
  }, 30_000);
});

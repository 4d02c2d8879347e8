import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import type { ChallengeRig } from '../../bench/support/challenge-rig';
import { RawAcme, type RawResponse, testAccountKey, type TestKey } from '../../bench/support/raw-acme';
import { x509 } from '../../src/ca/crypto';
import { mustStapleExtension } from '../../src/ca/csr-extensions';
import { makeCsr, testKeys } from '../support/csr';
import type { Pool } from 'pg';
import type { TestDatabase } from '../support/database';
import { useAcmeServer } from '../support/acme-server-fixture';
import type { ServerProcess } from '../support/server-process';

const URN = 'urn:ietf:params:acme:error:';

/** The RFC 8555 and interoperability rules of issue 12, each provoked over HTTP. */
describe('RFC and interoperability rules', () => {
  const fx = useAcmeServer('policy-fixes', (rig) => rig.validationYaml());
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let acme: RawAcme;
  let key: TestKey;
  let kid: string;
  let pool: Pool;
  beforeAll(() => void ({ db, rig, server, acme, key, kid, pool } = fx));

  function expectProblem(r: RawResponse, type: string, status: number, detail?: RegExp) {
    expect({ type: r.body.type, status: r.status, detail: r.body.detail }).toMatchObject({ type: URN + type, status, ...(detail ? { detail: expect.stringMatching(detail) } : {}) });
  }

  async function readyOrder(names: string[], k = key, id = kid) {
    const created = await acme.post(acme.directory.newOrder, { identifiers: names.map((value) => ({ type: 'dns', value })) }, k, { kid: id });
    expect(created.status).toBe(201);
    const thumbprint = await calculateJwkThumbprint(k.jwk, 'sha256');
    for (const authzUrl of created.body.authorizations) {
      const authz = await acme.post(authzUrl, '', k, { kid: id });
      if (authz.body.status === 'valid') continue;
      const challenge = authz.body.challenges.find((c: { type: string }) => c.type === 'http-01');
      rig.http.set(challenge.token, `${challenge.token}.${thumbprint}`);
      expect((await acme.post(challenge.url, {}, k, { kid: id })).status).toBe(200);
    }
    const url = created.headers.get('location')!;
    for (let i = 0; i < 100; i++) {
      const o = await acme.post(url, '', k, { kid: id });
      if (o.body.status === 'ready') return { url, body: o.body };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('order did not become ready');
  }

  async function issue(names: string[], csrKeys?: CryptoKeyPair, extensions: x509.Extension[] = []) {
    const order = await readyOrder(names);
    const csr = (await makeCsr(names, { keys: csrKeys, extensions })).toString('base64url');
    const done = await acme.post(order.body.finalize, { csr }, key, { kid });
    expect(done.body.status).toBe('valid');
    const pem = (await acme.post(done.body.certificate, '', key, { kid })).body as string;
    return { order, pem, der: new X509Certificate(pem).raw };
  }

  describe('POST-as-GET on the directory and newNonce (RFC 8555 §6.3)', () => {
    test('a POST to the directory answers the directory', async () => {
      const r = await acme.send(acme.directory.newNonce.replace(/\/acme\/new-nonce$/, '/directory'), await acme.sign(`${server.baseUrl}/directory`, '', key, { kid }));
      expect(r.status).toBe(200);
      expect(r.body.newOrder).toBe(acme.directory.newOrder);
    });

    test('a POST to newNonce answers a fresh nonce', async () => {
      const r = await acme.send(acme.directory.newNonce, await acme.sign(acme.directory.newNonce, '', key, { kid }));
      expect(r.status).toBe(200);
      expect(r.headers.get('replay-nonce')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(r.headers.get('cache-control')).toBe('no-store');
    });
  });

  test('a deactivated account: 401 for its kid, and for newAccount lookups and jwk-signed requests with its key', async () => {
    const k = await testAccountKey();
    const id = await acme.account(k);
    expect((await acme.post(id, { status: 'deactivated' }, k, { kid: id })).body.status).toBe('deactivated');
    expectProblem(await acme.post(id, '', k, { kid: id }), 'unauthorized', 401, /deactivated/);
    expectProblem(await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: 'late.fixes.test' }] }, k, { kid: id }), 'unauthorized', 401);
    expectProblem(await acme.post(acme.directory.newAccount, { onlyReturnExisting: true }, k), 'unauthorized', 401, /deactivated/);
    expectProblem(await acme.post(acme.directory.newAccount, { termsOfServiceAgreed: true }, k), 'unauthorized', 401, /deactivated/);
    expectProblem(await acme.post(acme.directory.revokeCert, { certificate: 'AAAA' }, k), 'unauthorized', 401, /deactivated/);
  });

  test('non-empty POST-as-GET payloads are malformed; an invalid orders cursor is malformed 400', async () => {
    const order = await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: 'read.fixes.test' }] }, key, { kid });
    const url = order.headers.get('location')!;
    expectProblem(await acme.post(url, {}, key, { kid }), 'malformed', 400, /POST-as-GET: the JWS payload must be empty/);
    expectProblem(await acme.post(order.body.authorizations[0], { foo: 1 }, key, { kid }), 'malformed', 400, /POST-as-GET/);
    expectProblem(await acme.post(`${kid}/orders`, {}, key, { kid }), 'malformed', 400, /POST-as-GET/);
    expect((await acme.post(url, '', key, { kid })).status).toBe(200);
    for (const cursor of [Buffer.from(JSON.stringify(['not-a-date', 'x'])).toString('base64url'), 'garbage', Buffer.from('[1,2]').toString('base64url')]) {
      expectProblem(await acme.post(`${kid}/orders?cursor=${cursor}`, '', key, { kid }), 'malformed', 400, /invalid orders cursor/);
    }
  });

  test('A-labels that are not valid punycode or not IDNA 2008 are rejectedIdentifier', async () => {
    for (const value of ['xn--zz.example', 'xn--ls8h.example']) {
      expectProblem(await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value }] }, key, { kid }), 'rejectedIdentifier', 400, /punycode|IDNA 2008/);
    }
    expect((await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: 'xn--bcher-kva.fixes.test' }] }, key, { kid })).status).toBe(201);
  });

  test('one key policy: an RSA account key with exponent 3 is badPublicKey', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
    const weak = { alg: 'RS256', privateKey: privateKey as never, jwk: await exportJWK(publicKey) };
    expectProblem(await acme.post(acme.directory.newAccount, { termsOfServiceAgreed: true }, weak), 'badPublicKey', 400, /public exponent 3 is not accepted/);
  });

  test('finalize: a requested subjectKeyIdentifier is accepted (ours is issued); must-staple and weak keys are badCSR', async () => {
    const order = await readyOrder(['csr.fixes.test']);
    const staple = (await makeCsr(['csr.fixes.test'], { extensions: [mustStapleExtension()] })).toString('base64url');
    expectProblem(await acme.post(order.body.finalize, { csr: staple }, key, { kid }), 'badCSR', 400, /must-staple .* no OCSP responder/);
    const weak = (await makeCsr(['csr.fixes.test'], { keyType: 'RSA-1024' })).toString('base64url');
    expectProblem(await acme.post(order.body.finalize, { csr: weak }, key, { kid }), 'badCSR', 400, /RSA key of 1024 bits/);

    const keys = await testKeys('P-256');
    const bogusSki = new x509.SubjectKeyIdentifierExtension('0102030405');
    const csr = (await makeCsr(['csr.fixes.test'], { keys, extensions: [bogusSki] })).toString('base64url');
    const done = await acme.post(order.body.finalize, { csr }, key, { kid });
    expect(done.body.status).toBe('valid');
    const pem = (await acme.post(done.body.certificate, '', key, { kid })).body as string;
    const leaf = new x509.X509Certificate(pem.split(/(?<=-----END CERTIFICATE-----)/)[0].trim());
    const expected = (await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)).keyId;
    expect(leaf.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId).toBe(expected);
  }, 60_000);

  test('revocation: subscribers are limited to BR 7.2.2 reasons', async () => {
    const { der } = await issue(['reasons.fixes.test']);
    const certificate = der.toString('base64url');
    for (const reason of [2, 6, 8, 9, 10]) {
      expectProblem(await acme.post(acme.directory.revokeCert, { certificate, reason }, key, { kid }), 'badRevocationReason', 400, /reserved to the CA/);
    }
    expect((await acme.post(acme.directory.revokeCert, { certificate, reason: 4 }, key, { kid })).status).toBe(200);
  }, 60_000);

  test('revocation with the certificate key is keyCompromise and blocks the key for CSRs and accounts', async () => {
    const keys = await testKeys('P-256');
    const { der } = await issue(['blocked.fixes.test'], keys);
    const jwk = await exportJWK(keys.publicKey as never);
    const certKey: TestKey = { alg: 'ES256', privateKey: keys.privateKey as never, jwk };
    expectProblem(await acme.post(acme.directory.revokeCert, { certificate: der.toString('base64url'), reason: 4 }, certKey), 'badRevocationReason', 400, /key compromise/);
    expect((await acme.post(acme.directory.revokeCert, { certificate: der.toString('base64url') }, certKey)).status).toBe(200);
    const row = await pool.query('SELECT reason FROM rm_crl_entries ORDER BY revoked_at DESC LIMIT 1');
    expect(row.rows[0].reason).toBe(1);
    const spki = createHash('sha256').update(new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' })).digest('hex');
    expect((await pool.query('SELECT serial FROM rm_blocked_keys WHERE spki_sha256 = $1', [spki])).rowCount).toBe(1);

    const again = await readyOrder(['blocked.fixes.test']);
    const csr = (await makeCsr(['blocked.fixes.test'], { keys })).toString('base64url');
    expectProblem(await acme.post(again.body.finalize, { csr }, key, { kid }), 'badCSR', 400, /blocked: certificate \w+ was revoked because the key is compromised/);
    expectProblem(await acme.post(acme.directory.newAccount, { termsOfServiceAgreed: true }, certKey), 'badPublicKey', 400, /blocked/);
  }, 60_000);
});

import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';

import { ChallengeRig } from '../../bench/support/challenge-rig';
import { makeCsr } from '../support/csr';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RawAcme, type RawResponse, testAccountKey, type TestKey } from '../../bench/support/raw-acme';
import { type ServerProcess, startServer } from '../support/server-process';
import { dataDirectory } from '../support/data-dir';

const URN = 'urn:ietf:params:acme:error:';

/** Every ACME error type the server produces, each provoked by a real request over HTTP. */
describe('ACME problem documents', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let acme: RawAcme;
  let key: TestKey;
  let kid: string;

  beforeAll(async () => {
    db = await createTestDatabase('acme_errors');
    rig = await new ChallengeRig().start();
    const dataDir = dataDirectory('errors');
    server = await startServer({
      env: { DATABASE_URL: db.url },
      configYaml: (port) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n  body_limit: 16kb\n${rig.validationYaml()}\n`,
    });
    acme = await new RawAcme(server.baseUrl).init();
    key = await testAccountKey();
    kid = await acme.account(key);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await rig?.stop();
    await db?.drop();
  });

  function expectProblem(r: RawResponse, type: string, status: number, detail?: RegExp) {
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body.type).toBe(URN + type);
    expect(r.status).toBe(status);
    expect(r.body.status).toBe(status);
    if (detail) expect(r.body.detail).toMatch(detail);
    // Every error carries a fresh nonce and must not be cached.
    expect(r.headers.get('replay-nonce')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(r.headers.get('cache-control')).toBe('no-store');
  }

  async function newOrder(names: string[]) {
    const r = await acme.post(acme.directory.newOrder, { identifiers: names.map((value) => ({ type: 'dns', value })) }, key, { kid });
    expect(r.status).toBe(201);
    return { url: r.headers.get('location')!, body: r.body };
  }

  describe('nonces', () => {
    test('HEAD newNonce is 200 and GET 204, both with Replay-Nonce and no-store', async () => {
      const head = await fetch(acme.directory.newNonce, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('replay-nonce')).toBeTruthy();
      expect(head.headers.get('cache-control')).toBe('no-store');
      const get = await fetch(acme.directory.newNonce);
      expect(get.status).toBe(204);
      expect(get.headers.get('replay-nonce')).not.toBe(head.headers.get('replay-nonce'));
    });

    test('badNonce: unknown, missing, and reused nonces', async () => {
      expectProblem(await acme.post(acme.directory.newOrder, { identifiers: [] }, key, { kid, nonce: 'bm9uY2Utbm90LWlzc3VlZC1oZXJl' }), 'badNonce', 400, /invalid anti-replay nonce/);
      expectProblem(await acme.post(acme.directory.newOrder, { identifiers: [] }, key, { kid, nonce: null }), 'badNonce', 400, /no "nonce"/);
      const jws = await acme.sign(kid, '', key, { kid });
      expect((await acme.send(kid, jws)).status).toBe(200);
      expectProblem(await acme.send(kid, jws), 'badNonce', 400);
    });
  });

  describe('request format', () => {
    test('415 for a wrong Content-Type', async () => {
      const r = await acme.send(acme.directory.newAccount, await acme.sign(acme.directory.newAccount, {}, key), 'application/json');
      expectProblem(r, 'malformed', 415, /application\/jose\+json/);
    });

    test('413 for an oversized body', async () => {
      const r = await acme.send(acme.directory.newAccount, { protected: 'x'.repeat(20_000), payload: '', signature: '' });
      expectProblem(r, 'malformed', 413);
    });

    test('malformed: not JSON, compact serialization, general serialization', async () => {
      expectProblem(await acme.send(acme.directory.newAccount, '{nope'), 'malformed', 400, /not valid JSON/);
      expectProblem(await acme.send(acme.directory.newAccount, '"a.b.c"'), 'malformed', 400, /flattened/);
      expectProblem(await acme.send(acme.directory.newAccount, { signatures: [], payload: '' }), 'malformed', 400, /flattened JSON serialization/);
    });

    test('badSignatureAlgorithm for none and HMAC, listing the accepted algorithms', async () => {
      const url = acme.directory.newAccount;
      const header = Buffer.from(JSON.stringify({ alg: 'none', jwk: key.jwk, url, nonce: await acme.nonce() })).toString('base64url');
      const r = await acme.send(url, { protected: header, payload: Buffer.from('{}').toString('base64url'), signature: '' });
      expectProblem(r, 'badSignatureAlgorithm', 400, /"none" is not accepted/);
      expect(r.body.algorithms).toEqual(['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA']);
      const hs = Buffer.from(JSON.stringify({ alg: 'HS256', jwk: key.jwk, url, nonce: await acme.nonce() })).toString('base64url');
      expectProblem(await acme.send(url, { protected: hs, payload: '', signature: 'AAAA' }), 'badSignatureAlgorithm', 400);
    });

    test('malformed: bad signature, both jwk and kid, jwk where kid is needed', async () => {
      const jws = await acme.sign(acme.directory.newAccount, { termsOfServiceAgreed: true }, key);
      jws.signature = Buffer.from('forged-signature-bytes-forged-signature-bytes-forged-sig').toString('base64url');
      expectProblem(await acme.send(acme.directory.newAccount, jws), 'malformed', 400, /signature is invalid/);
      expectProblem(await acme.post(acme.directory.newOrder, {}, key, { kid, header: { jwk: key.jwk } }), 'malformed', 400, /exactly one of "jwk" and "kid"/);
      expectProblem(await acme.post(acme.directory.newOrder, {}, key), 'malformed', 400, /needs a JWS with "kid"/);
    });

    test('unauthorized: the url header does not match the request URL', async () => {
      const jws = await acme.sign(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: 'a.errors.test' }] }, key, { kid });
      expectProblem(await acme.send(acme.directory.newAuthz, jws), 'unauthorized', 403, /does not match the request URL/);
    });

    test('POST to a path that names no ACME resource is 404 malformed', async () => {
      for (const path of ['/acme/unknown', '/acme/order/abc/unknown', '/acme/acct/not%20an%20id']) {
        const r = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/jose+json' }, body: '{}' });
        expect(r.status).toBe(404);
        expect(((await r.json()) as { type: string }).type).toBe(URN + 'malformed');
      }
      expect((await fetch(`${server.baseUrl}/acme/unknown`)).status).toBe(404);
    });

    test('GET on a POST-only resource is 405', async () => {
      const r = await fetch(kid);
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('POST');
      expect(((await r.json()) as { type: string }).type).toBe(URN + 'malformed');
    });
  });

  describe('accounts', () => {
    test('accountDoesNotExist: onlyReturnExisting with an unknown key, and an unknown kid', async () => {
      const fresh = await testAccountKey('ES384');
      expectProblem(await acme.post(acme.directory.newAccount, { onlyReturnExisting: true }, fresh), 'accountDoesNotExist', 400);
      expectProblem(await acme.post(acme.directory.newOrder, {}, fresh, { kid: kid.replace(/[^/]+$/, 'nosuchaccount') }), 'accountDoesNotExist', 400);
    });

    test('the same key again answers 200 with the same Location', async () => {
      const r = await acme.post(acme.directory.newAccount, { termsOfServiceAgreed: true }, key);
      expect(r.status).toBe(200);
      expect(r.headers.get('location')).toBe(kid);
    });

    test('unsupportedContact and invalidContact', async () => {
      const k = await testAccountKey('EdDSA');
      expectProblem(await acme.post(acme.directory.newAccount, { contact: ['tel:+123456'] }, k), 'unsupportedContact', 400, /scheme 'tel'/);
      expectProblem(await acme.post(acme.directory.newAccount, { contact: ['mailto:a@example.test?subject=x'] }, k), 'invalidContact', 400, /hfields/);
      expectProblem(await acme.post(acme.directory.newAccount, { contact: ['mailto:a@example.test,b@example.test'] }, k), 'invalidContact', 400, /exactly one address/);
      expectProblem(await acme.post(acme.directory.newAccount, { contact: ['mailto:not-an-address'] }, k), 'invalidContact', 400);
    });

    test('RSA keys below 2048 bits are badPublicKey', async () => {
      // Signed by hand: JOSE libraries refuse to sign with such a key at all.
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const url = acme.directory.newAccount;
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', jwk: publicKey.export({ format: 'jwk' }), url, nonce: await acme.nonce() })).toString('base64url');
      const payload = Buffer.from('{}').toString('base64url');
      const signature = cryptoSign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
      expectProblem(await acme.send(url, { protected: header, payload, signature }), 'badPublicKey', 400, /1024 bits/);
    });

    test('contact update and the orders list with pagination', async () => {
      const k = await testAccountKey();
      const id = await acme.account(k);
      const upd = await acme.post(id, { contact: ['mailto:new@example.test'] }, k, { kid: id });
      expect(upd.status).toBe(200);
      expect(upd.body.contact).toEqual(['mailto:new@example.test']);
      const ordersUrl = upd.body.orders;
      const created: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: `list${i}.errors.test` }] }, k, { kid: id });
        created.push(r.headers.get('location')!);
      }
      const page = await acme.post(ordersUrl, '', k, { kid: id });
      expect(page.status).toBe(200);
      expect(page.body.orders).toEqual(created);
    });
  });

  describe('orders', () => {
    test('rejectedIdentifier with one subproblem per bad identifier, unsupportedIdentifier, malformed', async () => {
      const r = await acme.post(
        acme.directory.newOrder,
        { identifiers: [{ type: 'dns', value: 'ok.errors.test' }, { type: 'dns', value: 'bad_label.errors.test' }, { type: 'dns', value: 'trailing.dot.' }, { type: 'dns', value: 'a.*.errors.test' }] },
        key,
        { kid },
      );
      expectProblem(r, 'rejectedIdentifier', 400, /3 identifiers were refused/);
      expect(r.body.subproblems.map((s: { identifier: { value: string } }) => s.identifier.value)).toEqual(['bad_label.errors.test', 'trailing.dot.', 'a.*.errors.test']);
      expectProblem(await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'email', value: 'x@y.test' }] }, key, { kid }), 'unsupportedIdentifier', 400);
      expectProblem(await acme.post(acme.directory.newOrder, { identifiers: [] }, key, { kid }), 'malformed', 400, /non-empty/);
      expectProblem(await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: 'x.errors.test' }], notAfter: 'tomorrow' }, key, { kid }), 'malformed', 400, /RFC 3339/);
    });

    test('identifiers are lowercased and deduplicated', async () => {
      const { body } = await newOrder(['MiXeD.errors.test', 'mixed.errors.test']);
      expect(body.identifiers).toEqual([{ type: 'dns', value: 'mixed.errors.test' }]);
      expect(body.status).toBe('pending');
    });

    test('orderNotReady when finalizing a pending order', async () => {
      const { body } = await newOrder(['notready.errors.test']);
      const csr = (await makeCsr(['notready.errors.test'])).toString('base64url');
      expectProblem(await acme.post(body.finalize, { csr }, key, { kid }), 'orderNotReady', 403, /order is pending/);
    });

    async function readyOrder(name: string) {
      const { url, body } = await newOrder([name]);
      const authz = await acme.post(body.authorizations[0], '', key, { kid });
      const challenge = authz.body.challenges.find((c: { type: string }) => c.type === 'http-01');
      const { calculateJwkThumbprint } = await import('jose');
      rig.http.set(challenge.token, `${challenge.token}.${await calculateJwkThumbprint(key.jwk, 'sha256')}`);
      const started = await acme.post(challenge.url, {}, key, { kid });
      expect(started.status).toBe(200);
      expect(started.headers.get('link')).toContain(`<${body.authorizations[0]}>;rel="up"`);
      // Repeating the POST is harmless.
      expect((await acme.post(challenge.url, {}, key, { kid })).status).toBe(200);
      for (let i = 0; i < 100; i++) {
        const o = await acme.post(url, '', key, { kid });
        if (o.body.status === 'ready') return o.body;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('order did not become ready');
    }

    test('badCSR (names, account key, weak key) at finalize', async () => {
      const order = await readyOrder('csr.errors.test');
      const wrong = (await makeCsr(['other.errors.test'])).toString('base64url');
      expectProblem(await acme.post(order.finalize, { csr: wrong }, key, { kid }), 'badCSR', 400, /missing csr\.errors\.test; not in the order: other\.errors\.test/);
      const weak = (await makeCsr(['csr.errors.test'], { keyType: 'RSA-1024' })).toString('base64url');
      expectProblem(await acme.post(order.finalize, { csr: weak }, key, { kid }), 'badCSR', 400, /CSR key refused: RSA key of 1024 bits/);
      expectProblem(await acme.post(order.finalize, { csr: 'bm90LWEtY3Ny' }, key, { kid }), 'badCSR', 400, /could not be parsed/);
      const good = (await makeCsr(['csr.errors.test'])).toString('base64url');
      const done = await acme.post(order.finalize, { csr: good }, key, { kid });
      expect(done.status).toBe(200);
      expect(['processing', 'valid']).toContain(done.body.status);
    });

    test('badRevocationReason for code 7 and for non-integers', async () => {
      const order = await readyOrder('reason.errors.test');
      const csr = (await makeCsr(['reason.errors.test'])).toString('base64url');
      let o = (await acme.post(order.finalize, { csr }, key, { kid })).body;
      for (let i = 0; o.status !== 'valid' && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 100));
        o = (await acme.post(order.finalize.replace(/\/finalize$/, ''), '', key, { kid })).body;
      }
      const pem = (await acme.post(o.certificate, '', key, { kid })).body as string;
      const der = Buffer.from(pem.split('-----')[2].replace(/\s+/g, ''), 'base64').toString('base64url');
      expectProblem(await acme.post(acme.directory.revokeCert, { certificate: der, reason: 7 }, key, { kid }), 'badRevocationReason', 400);
      expectProblem(await acme.post(acme.directory.revokeCert, { certificate: der, reason: 'keyCompromise' }, key, { kid }), 'badRevocationReason', 400);
      const stranger = await testAccountKey();
      expectProblem(await acme.post(acme.directory.revokeCert, { certificate: der }, stranger), 'unauthorized', 403, /not signed by the key of this certificate/);
    });
  });

  describe('validation failures carry the RFC type', () => {
    async function failedChallenge(name: string, type: string) {
      const { body } = await newOrder([name]);
      const authz = await acme.post(body.authorizations[0], '', key, { kid });
      const challenge = authz.body.challenges.find((c: { type: string }) => c.type === type);
      await acme.post(challenge.url, {}, key, { kid });
      for (let i = 0; i < 100; i++) {
        const c = await acme.post(challenge.url, '', key, { kid });
        if (c.body.status === 'invalid') return c.body.error;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('challenge did not fail');
    }

    test('dns: the name does not exist', async () => {
      rig.missing.add('nxdomain.errors.test');
      const error = await failedChallenge('nxdomain.errors.test', 'http-01');
      expect(error.type).toBe(URN + 'dns');
      expect(error.detail).toMatch(/nxdomain\.errors\.test/);
    }, 30_000);

    test('connection: nothing listens at the resolved address', async () => {
      rig.addresses.set('refused.errors.test', '127.0.0.2');
      const error = await failedChallenge('refused.errors.test', 'http-01');
      expect(error.type).toBe(URN + 'connection');
      expect(error.detail).toMatch(/connection refused connecting to 127\.0\.0\.2/);
    }, 30_000);

    test('unauthorized: a 404 from the http-01 responder', async () => {
      const error = await failedChallenge('notfound.errors.test', 'http-01');
      expect(error.type).toBe(URN + 'unauthorized');
      expect(error.detail).toMatch(/HTTP 404/);
    }, 30_000);

    test('unauthorized: no TXT record for dns-01', async () => {
      const error = await failedChallenge('notxt.errors.test', 'dns-01');
      expect(error.type).toBe(URN + 'unauthorized');
      expect(error.detail).toMatch(/no TXT record found at _acme-challenge\.notxt\.errors\.test/);
    }, 30_000);

    test('tls: the tls-alpn-01 handshake fails', async () => {
      const error = await failedChallenge('notls.errors.test', 'tls-alpn-01');
      expect(error.type).toBe(URN + 'tls');
    }, 30_000);
  });
});

describe('ACME policy from configuration', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  beforeAll(async () => {
    db = await createTestDatabase('acme_policy');
    const dataDir = dataDirectory('policy');
    server = await startServer({
      env: { DATABASE_URL: db.url },
      configYaml: (port) =>
        `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n  external_url: http://localhost:${port}\nacme:\n  terms_of_service: https://ca.example/tos\n  website: https://ca.example\n  caa_identities: [ca.example]\n  eab_required: true\n`,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  test('directory meta and absolute URLs come from configuration', async () => {
    const dir = (await (await fetch(`${server.baseUrl}/directory`)).json()) as { newAccount: string; meta: unknown };
    expect(dir.newAccount).toBe(`http://localhost:${server.port}/acme/new-account`);
    expect(dir.meta).toEqual({ termsOfService: 'https://ca.example/tos', website: 'https://ca.example', caaIdentities: ['ca.example'], externalAccountRequired: true });
  });

  test('userActionRequired without agreeing to the terms; externalAccountRequired without a binding', async () => {
    const acme = new RawAcme(server.baseUrl);
    await acme.init();
    const k = await testAccountKey();
    const noTos = await acme.post(acme.directory.newAccount, {}, k);
    expect(noTos.body.type).toBe(URN + 'userActionRequired');
    expect(noTos.status).toBe(403);
    const noEab = await acme.post(acme.directory.newAccount, { termsOfServiceAgreed: true }, k);
    expect(noEab.body.type).toBe(URN + 'externalAccountRequired');
  });
});

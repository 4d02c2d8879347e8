// Guards the request rules of RFC 8555 §6.2/§6.3 that src/acme/jws/verify.ts enforces before any
// nonce is spent: flattened serialization only, the accepted algorithms, exactly one of jwk/kid as
// the endpoint needs, a key fit for the algorithm, a valid signature, the url header, then the
// nonce's presence and the payload (POST-as-GET). Each failure asserts its exact ACME problem type.
// The nonce store and the account lookup against PostgreSQL are covered in
// test/integration/jws/jws-service.spec.ts.
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { verifyAcmeJws, type VerifyOptions } from '../../../../src/acme/jws/verify';
import { rsaJwk, sign, signingKey, type SigningKey, unsigned } from './support/jws';

const URL = 'https://ca.test/acme/new-acct';
const PREFIX = 'https://ca.test/acme/acct/';

describe('JWS request rules (RFC 8555 §6.2, §6.3)', () => {
  let key: SigningKey;
  beforeAll(async () => {
    key = await signingKey('ES256');
  });

  /** Options for a jwk endpoint; every nonce offered is recorded (and taken as fresh). */
  function options(overrides: Partial<VerifyOptions> = {}) {
    const consumed: string[] = [];
    const opts: VerifyOptions = {
      requestUrl: URL,
      expectKey: 'jwk',
      accountUrlPrefix: PREFIX,
      lookupAccount: async () => ({ account: null, nonceFresh: null }),
      consumeNonce: async (n) => (consumed.push(n), true),
      releaseNonce: async () => undefined,
      ...overrides,
    };
    return { opts, consumed };
  }
  const header = (extra: Record<string, unknown> = {}) => ({ jwk: key.jwk, url: URL, nonce: 'n-1', ...extra });

  /** Verifies `body`, expecting the problem `type`, and that no nonce was spent on it. */
  async function refused(body: unknown, type: string, overrides: Partial<VerifyOptions> = {}) {
    const { opts, consumed } = options(overrides);
    await expect(verifyAcmeJws(body, opts)).rejects.toMatchObject({ type });
    expect(consumed).toEqual([]);
  }

  test('a well-formed jwk request verifies: header, payload, key and thumbprint, nonce spent once', async () => {
    const { opts, consumed } = options();
    const v = await verifyAcmeJws(await sign(key, header(), { termsOfServiceAgreed: true }), opts);
    expect(v.payload).toEqual({ termsOfServiceAgreed: true });
    expect(v.jwk).toEqual(key.jwk);
    expect(v.thumbprint).toBe(await calculateJwkThumbprint(key.jwk, 'sha256'));
    expect(v.account).toBeNull();
    expect(consumed).toEqual(['n-1']);
  });

  describe('serialization', () => {
    test('compact serialization is malformed', async () => {
      const jws = await sign(key, header());
      await refused(`${jws.protected}.${jws.payload}.${jws.signature}`, 'malformed');
    });
    test('general serialization is malformed', async () => {
      const jws = await sign(key, header());
      await refused({ payload: jws.payload, signatures: [{ protected: jws.protected, signature: jws.signature }] }, 'malformed');
    });
    test('an unprotected header is malformed', async () => {
      await refused({ ...(await sign(key, header())), header: { kid: 'x' } }, 'malformed');
    });
    test('non-base64url members and an undecodable protected header are malformed', async () => {
      const jws = await sign(key, header());
      await refused({ ...jws, signature: 'a+b/' }, 'malformed');
      await refused({ ...jws, protected: Buffer.from('not json').toString('base64url') }, 'malformed');
      await refused(null, 'malformed');
      await refused([jws], 'malformed');
    });
  });

  describe('algorithm', () => {
    test('"none" is badSignatureAlgorithm', async () => {
      await refused(unsigned({ alg: 'none', ...header() }), 'badSignatureAlgorithm');
    });
    test('a MAC algorithm (HS256) is badSignatureAlgorithm on an ACME request', async () => {
      const mac = { alg: 'HS256', privateKey: new Uint8Array(32).fill(7) };
      await refused(await sign(mac, header()), 'badSignatureAlgorithm');
    });
    test('a missing alg is malformed', async () => {
      await refused(unsigned(header()), 'malformed');
    });
    test('a key that does not fit the algorithm is badSignatureAlgorithm; a too-small RSA key is badPublicKey', async () => {
      const rsa = await signingKey('RS256');
      await refused(await sign(key, header({ jwk: rsa.jwk })), 'badSignatureAlgorithm');
      await refused(await sign(rsa, header({ jwk: rsaJwk(1024) })), 'badPublicKey');
    });
    test('a key has one JWK form: zero-padded or short members are badPublicKey, non-canonical base64url is malformed', async () => {
      const padded = (b64: string, size: number) => Buffer.concat([Buffer.alloc(size), Buffer.from(b64, 'base64url')]).toString('base64url');
      // A 1024-bit modulus padded to 256 bytes looked like 2048 bits; the exact size is what counts.
      // (jose will not sign with a 1024-bit key: signed by hand, validly.)
      const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const smallJwk = small.publicKey.export({ format: 'jwk' });
      const prot = Buffer.from(JSON.stringify({ alg: 'RS256', ...header({ jwk: { ...smallJwk, n: padded(smallJwk.n!, 128) } }) })).toString('base64url');
      const payload = Buffer.from('{}').toString('base64url');
      const signature = createSign('sha256').update(`${prot}.${payload}`).sign(small.privateKey).toString('base64url');
      await refused({ protected: prot, payload, signature }, 'badPublicKey');
      const rsa = await signingKey('RS256');
      await refused(await sign(rsa, header({ jwk: { ...rsa.jwk, n: padded(rsa.jwk.n!, 1) } })), 'badPublicKey');
      await refused(await sign(rsa, header({ jwk: { ...rsa.jwk, e: padded(rsa.jwk.e!, 1) } })), 'badPublicKey');
      // 2,047 bits spell 256 bytes, and are still too few.
      await refused(await sign(rsa, header({ jwk: rsaJwk(2047) })), 'badPublicKey');
      await refused(await sign(key, header({ jwk: { ...key.jwk, x: padded(key.jwk.x!, 1) } })), 'badPublicKey');
      await refused(await sign(key, header({ jwk: { ...key.jwk, y: Buffer.from(key.jwk.y!, 'base64url').subarray(1).toString('base64url') } })), 'badPublicKey');
      const ed = await signingKey('EdDSA', { crv: 'Ed25519' });
      await refused(await sign(ed, header({ jwk: { ...ed.jwk, x: padded(ed.jwk.x!, 1) } })), 'badPublicKey');
      // The same bytes spelled otherwise would be another thumbprint for the same key.
      await refused(await sign(key, header({ jwk: { ...key.jwk, x: `${key.jwk.x}=` } })), 'malformed');
      await refused(await sign(key, header({ jwk: { ...key.jwk, x: `${key.jwk.x!.slice(0, 10)}.${key.jwk.x!.slice(10)}` } })), 'malformed');
    });
    test('a jwk carrying private members is malformed', async () => {
      const { jwk } = await signingKey('ES256');
      await refused(await sign(key, header({ jwk: { ...jwk, d: 'secret' } })), 'malformed');
    });
    test('every accepted algorithm verifies', async () => {
      for (const [alg, opts] of [['RS256', {}], ['ES256', {}], ['ES384', {}], ['ES512', {}], ['EdDSA', { crv: 'Ed25519' }]] as const) {
        const k = await signingKey(alg, opts);
        const { opts: o } = options();
        await expect(verifyAcmeJws(await sign(k, { jwk: k.jwk, url: URL, nonce: 'n' }), o)).resolves.toMatchObject({ jwk: k.jwk });
      }
    });
  });

  describe('jwk or kid', () => {
    test('both, or neither, is malformed', async () => {
      await refused(await sign(key, header({ kid: `${PREFIX}a1` })), 'malformed', { expectKey: 'either' });
      await refused(await sign(key, { url: URL, nonce: 'n' }), 'malformed', { expectKey: 'either' });
    });
    test('newAccount (and revocation by certificate key) needs jwk: kid is malformed', async () => {
      await refused(await sign(key, { kid: `${PREFIX}a1`, url: URL, nonce: 'n' }), 'malformed', { expectKey: 'jwk' });
    });
    test('account endpoints need kid: jwk is malformed', async () => {
      await refused(await sign(key, header()), 'malformed', { expectKey: 'kid' });
    });
    test('a kid that is not one of our account URLs is malformed, without a lookup', async () => {
      const lookups: string[] = [];
      await refused(await sign(key, { kid: 'https://elsewhere.test/acct/a1', url: URL, nonce: 'n' }), 'malformed', {
        expectKey: 'kid',
        lookupAccount: async (id) => (lookups.push(id), { account: null, nonceFresh: null }),
      });
      expect(lookups).toEqual([]);
    });
  });

  describe('signature and url (checked before the nonce)', () => {
    test('a signature by another key than the jwk is malformed', async () => {
      const other = await signingKey('ES256');
      await refused(await sign(other, header()), 'malformed');
    });
    test('a changed payload breaks the signature', async () => {
      const jws = await sign(key, header(), { a: 1 });
      await refused({ ...jws, payload: Buffer.from('{"a":2}').toString('base64url') }, 'malformed');
    });
    test('a header with "crit" is malformed, whatever it names (b64 included)', async () => {
      await refused(await sign(key, header({ crit: ['b64'], b64: true })), 'malformed');
      // jose will not sign an extension it does not know: signed here by hand, validly.
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const prot = b64({ alg: 'ES256', ...header({ crit: ['exp'], exp: 1 }) });
      const payload = b64({});
      const signature = createSign('sha256').update(`${prot}.${payload}`).sign({ key: key.privateKey as KeyObject, dsaEncoding: 'ieee-p1363' });
      await refused({ protected: prot, payload, signature: signature.toString('base64url') }, 'malformed');
    });
    test('an ECDSA signature in DER form, a truncated one, an empty one or a flipped bit is malformed', async () => {
      const jws = await sign(key, header(), { a: 1 });
      const raw = Buffer.from(jws.signature, 'base64url');
      const der = createSign('sha256').update(`${jws.protected}.${jws.payload}`).sign({ key: key.privateKey as KeyObject, dsaEncoding: 'der' });
      const flipped = Buffer.from(raw);
      flipped[10] ^= 1;
      for (const signature of [der, raw.subarray(0, 63), Buffer.alloc(0), flipped]) {
        await refused({ ...jws, signature: signature.toString('base64url') }, 'malformed');
      }
    });
    test.each(['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'])('%s: a changed payload or a signature from another key of the same kind is malformed', async (alg) => {
      const k = await signingKey(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
      const other = await signingKey(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
      const h = { jwk: k.jwk, url: URL, nonce: 'n-1' };
      const jws = await sign(k, h, { a: 1 });
      await refused({ ...jws, payload: Buffer.from('{"a":2}').toString('base64url') }, 'malformed');
      await refused({ ...jws, signature: (await sign(other, h, { a: 1 })).signature }, 'malformed');
    });
    test('a missing url is malformed; another url is unauthorized', async () => {
      await refused(await sign(key, { jwk: key.jwk, nonce: 'n' }), 'malformed');
      await refused(await sign(key, header({ url: 'https://ca.test/acme/new-order' })), 'unauthorized');
    });
  });

  describe('nonce', () => {
    test('a missing or empty nonce is badNonce', async () => {
      await refused(await sign(key, { jwk: key.jwk, url: URL }), 'badNonce');
      await refused(await sign(key, header({ nonce: '' })), 'badNonce');
    });
    test('a nonce the store refuses is badNonce', async () => {
      await expect(verifyAcmeJws(await sign(key, header()), options({ consumeNonce: async () => false }).opts)).rejects.toMatchObject({ type: 'badNonce' });
    });
  });

  describe('payload', () => {
    test('an empty payload is POST-as-GET (null)', async () => {
      const { opts } = options();
      expect((await verifyAcmeJws(await sign(key, header(), ''), opts)).payload).toBeNull();
    });
    test('a payload that is not a JSON object is malformed', async () => {
      for (const payload of ['not json', '[1,2]', '"text"', 'null']) {
        await expect(verifyAcmeJws(await sign(key, header(), payload), options().opts)).rejects.toMatchObject({ type: 'malformed' });
      }
    });
  });
});

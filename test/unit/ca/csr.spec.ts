import * as acme from 'acme-client';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { x509 } from '../../../src/ca/crypto';
import { OID_TLS_FEATURE, mustStapleExtension } from '../../../src/ca/csr-extensions';
import { parseAndCheckCsr } from '../../../src/ca/csr';
import { AcmeError } from '../../../src/domain/errors';
import { csrDer, keyPair, tamperSignature } from './support/keys-and-csrs';

async function refusal(p: Promise<unknown>): Promise<AcmeError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AcmeError);
  return e as AcmeError;
}

const NAME = 'a.example.com';

describe('parseAndCheckCsr: accepted requests', () => {
  test.each([
    ['P-256', 'ec', 256, 'P-256', 'ecdsa-p256'],
    ['P-384', 'ec', 384, 'P-384', 'ecdsa-p384'],
    ['RSA-2048', 'rsa', 2048, null, 'rsa-2048'],
  ] as const)('a %s CSR yields its names and key facts', async (kind, keyType, keySize, curve, keyName) => {
    const keys = await keyPair(kind);
    const checked = await parseAndCheckCsr(await csrDer(['WWW.Example.com', 'example.com'], { keys }), ['example.com', 'www.example.com'], {});
    expect(checked).toMatchObject({ names: ['example.com', 'www.example.com'], keyType, keySize, curve, keyName, commonName: null, mustStaple: false });
    expect(checked.publicKeyJwk).toEqual(await exportJWK(keys.publicKey));
    expect(checked.publicKeyDer).toEqual(Buffer.from(await crypto.subtle.exportKey('spki', keys.publicKey)));
    expect(checked).not.toHaveProperty('csr');
  });

  test.each([
    ['RSA PKCS#1 v1.5 with SHA-384', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }],
    ['RSA-PSS with SHA-256', { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 }],
  ])('%s signatures are accepted', async (_label, signingAlgorithm) => {
    const keys = await keyPair('RSA-2048');
    // WebCrypto binds the hash to the key, so sign with a key imported for the algorithm under test.
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
    const spki = await crypto.subtle.exportKey('spki', keys.publicKey);
    const alg = { name: signingAlgorithm.name, hash: signingAlgorithm.hash };
    const signing = {
      privateKey: await crypto.subtle.importKey('pkcs8', pkcs8, alg, true, ['sign']),
      publicKey: await crypto.subtle.importKey('spki', spki, alg, true, ['verify']),
    };
    const checked = await parseAndCheckCsr(await csrDer([NAME], { keys: signing, signingAlgorithm }), [NAME]);
    expect(checked.keyType).toBe('rsa');
  });

  test('a CN that repeats a SAN is accepted; a CN alone (no SAN) is the one name', async () => {
    const withCn = await parseAndCheckCsr(await csrDer([NAME, 'b.example.com'], { subject: 'CN=A.example.com, O=Ignored' }), ['b.example.com', NAME]);
    expect(withCn).toMatchObject({ names: [NAME, 'b.example.com'], commonName: NAME });
    const cnOnly = await parseAndCheckCsr(await csrDer([], { subject: `CN=${NAME}` }), [NAME]);
    expect(cnOnly.names).toEqual([NAME]);
  });

  test('keyUsage, extendedKeyUsage, basicConstraints CA:false and a subjectKeyIdentifier may be requested, none is copied', async () => {
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const extensions = [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.BasicConstraintsExtension(false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ];
    const checked = await parseAndCheckCsr(await csrDer([NAME], { extensions }), [NAME]);
    expect(checked.mustStaple).toBe(false);
    expect(checked.copyExtensions).toEqual([]);
  });

  test('must-staple is refused as badCSR, saying there is no OCSP responder', async () => {
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { extensions: [mustStapleExtension()] }), [NAME]));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toMatch(/must-staple .* no OCSP responder/);
  });

  test('the legacy form with the thumbprint as a string, and an empty one, are accepted', async () => {
    expect((await parseAndCheckCsr(await csrDer([NAME]), [NAME], 'some-thumbprint')).names).toEqual([NAME]);
    expect((await parseAndCheckCsr(await csrDer([NAME]), [NAME], '')).names).toEqual([NAME]);
  });
});

describe('parseAndCheckCsr: badCSR', () => {
  test('undecodable DER', async () => {
    const e = await refusal(parseAndCheckCsr(Buffer.from('not a csr'), [NAME]));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toMatch(/^CSR could not be parsed: /);
    const truncated = (await csrDer([NAME])).subarray(0, 40);
    expect((await refusal(parseAndCheckCsr(truncated, [NAME]))).detail).toMatch(/^CSR could not be parsed: /);
  });

  test.each(['P-256', 'RSA-2048'] as const)('a tampered %s signature', async (kind) => {
    const e = await refusal(parseAndCheckCsr(tamperSignature(await csrDer([NAME], { kind })), [NAME]));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toBe('CSR signature is invalid');
  });

  test('a name missing from the CSR and a name the order lacks are both named', async () => {
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME, 'c.example.com']), [NAME, 'b.example.com']));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toBe("CSR names must equal the order's identifiers (missing b.example.com; not in the order: c.example.com)");
  });

  test('an extra name alone', async () => {
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME, 'extra.example.com']), [NAME]));
    expect(e.detail).toBe("CSR names must equal the order's identifiers (not in the order: extra.example.com)");
  });

  test('a missing name alone', async () => {
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME]), [NAME, 'b.example.com']));
    expect(e.detail).toBe("CSR names must equal the order's identifiers (missing b.example.com)");
  });

  test('a CN that is not one of the SANs', async () => {
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { subject: 'CN=z.example.com' }), [NAME]));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toBe(`CSR common name z.example.com is not one of its subject alternative names (${NAME})`);
  });

  test('two CNs, and no name at all', async () => {
    expect((await refusal(parseAndCheckCsr(await csrDer([NAME], { subject: `CN=${NAME}, CN=b.example.com` }), [NAME]))).detail).toMatch(/2 common names/);
    expect((await refusal(parseAndCheckCsr(await csrDer([], { subject: 'O=No Names' }), [NAME]))).detail).toMatch(/names no DNS identifier/);
  });

  test('the account key as the certificate key', async () => {
    const keys = await keyPair('P-256');
    const accountKeyThumbprint = await calculateJwkThumbprint(await exportJWK(keys.publicKey), 'sha256');
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { keys }), [NAME], { accountKeyThumbprint }));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toBe('certificate public key must be different from the account key');
    // The same CSR from another account is fine.
    const other = await calculateJwkThumbprint(await exportJWK((await keyPair('P-256')).publicKey), 'sha256');
    await expect(parseAndCheckCsr(await csrDer([NAME], { keys }), [NAME], { accountKeyThumbprint: other })).resolves.toBeDefined();
  });

  test.each([
    ['certificatePolicies', () => new x509.CertificatePolicyExtension(['2.23.140.1.2.1']), '2.5.29.32'],
    ['a private extension', () => new x509.Extension('1.3.6.1.4.1.99999.1', false, new Uint8Array([0x05, 0x00])), '1.3.6.1.4.1.99999.1'],
    ['OCSP no-check', () => new x509.Extension('1.3.6.1.5.5.7.48.1.5', false, new Uint8Array([0x05, 0x00])), '1.3.6.1.5.5.7.48.1.5'],
  ])('an unsupported extension (%s) is named by its OID', async (_label, ext, oid) => {
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { extensions: [ext()] }), [NAME]));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toContain(`CSR requests extension ${oid}, which this CA does not issue`);
  });

  test('basicConstraints CA:true', async () => {
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { extensions: [new x509.BasicConstraintsExtension(true, 0, true)] }), [NAME]));
    expect(e.detail).toMatch(/CA:true/);
  });

  test('a TLS Feature other than status_request', async () => {
    const features = new x509.Extension(OID_TLS_FEATURE, false, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x11]));
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { extensions: [features] }), [NAME]));
    expect(e.detail).toMatch(/TLS Feature .* other than status_request/);
  });

  test.each([
    ['an email address', { type: 'email', value: 'admin@example.com' }],
    ['a URI', { type: 'url', value: 'https://a.example.com/' }],
  ] as const)('%s subject alternative name', async (label, name) => {
    const san = [{ type: 'dns' as const, value: NAME }, name];
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { san: san as x509.JsonGeneralName[] }), [NAME]));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toMatch(new RegExp(`^CSR has ${label} subject alternative name \\(.+\\): only dns and ip identifiers are issued$`));
  });

  test('iPAddress subject alternative names (RFC 8738) count as names, in canonical form; one not in the order is refused', async () => {
    const san = [{ type: 'dns' as const, value: NAME }, { type: 'ip' as const, value: '192.0.2.1' }, { type: 'ip' as const, value: '2001:db8::1' }];
    const checked = await parseAndCheckCsr(await csrDer([NAME], { san }), [NAME, '192.0.2.1', '2001:db8::1']);
    expect(checked.names).toEqual(['192.0.2.1', '2001:db8::1', NAME].sort());
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { san }), [NAME]));
    expect(e).toMatchObject({ type: 'badCSR', detail: expect.stringMatching(/not in the order: 192\.0\.2\.1, 2001:db8::1/) });
  });

  test('a SHA-1 signature', async () => {
    const keys = await keyPair('P-256');
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-1' } as EcdsaParams }), [NAME]));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toMatch(/signature algorithm ECDSA with SHA-1 is not accepted/);
  });
});

describe('parseAndCheckCsr: a key outside the policy is badCSR (RFC 8555 §7.4)', () => {
  test.each([
    ['P-521', /^ECDSA key on curve P-521 \(secp521r1, 521 bits\) is not accepted/],
    ['Ed25519', /^Ed25519 key \(256 bits\) is not accepted/],
    ['RSA-1024', /^RSA key of 1024 bits is not accepted: RSA keys must have 2048 to 8192 bits, a multiple of 8$/],
    ['RSA-2052', /^RSA key of 2052 bits is not accepted/],
    ['RSA-2048-e3', /^RSA key of 2048 bits with public exponent 3 is not accepted/],
  ] as const)('a %s key', async (kind, detail) => {
    const e = await refusal(parseAndCheckCsr(await csrDer([NAME], { kind }), [NAME]));
    expect(e.type).toBe('badCSR');
    expect(e.detail.replace(/^CSR key refused: /, '')).toMatch(detail);
  });
});

describe('parseAndCheckCsr: CSRs of a real ACME client library', () => {
  // acme-client builds its CSRs itself; what it sends must pass unchanged.
  const cases: Array<[string, () => Promise<Buffer>, acme.CsrOptions, string[]]> = [
    ['ECDSA, CN and SANs', () => acme.crypto.createPrivateEcdsaKey(), { commonName: 'a.example.com', altNames: ['a.example.com', 'b.example.com'] }, ['a.example.com', 'b.example.com']],
    ['ECDSA P-384, CN only', () => acme.crypto.createPrivateEcdsaKey('P-384'), { commonName: 'a.example.com' }, ['a.example.com']],
    ['RSA 2048, SANs only', () => acme.crypto.createPrivateRsaKey(2048), { altNames: ['a.example.com', 'b.example.com'] }, ['a.example.com', 'b.example.com']],
  ];
  test.each(cases)('%s', async (_label, makeKey, fields, names) => {
    const [, pem] = await acme.crypto.createCsr(fields, await makeKey());
    const der = x509.PemConverter.decode(pem.toString())[0];
    const checked = await parseAndCheckCsr(new Uint8Array(der), [...names].reverse());
    expect(checked.names).toEqual(names);
  });
});

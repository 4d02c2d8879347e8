import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import * as acme from 'acme-client';
import { x509 } from '../../../src/ca/crypto';
import { type CsrDer, readCsr } from '../../../src/ca/csr-der';
import { mustStapleExtension, OID_TLS_FEATURE, readExtensionValues } from '../../../src/ca/csr-extensions';
import { parseAndCheckCsr } from '../../../src/ca/csr';
import { derBitString, derInteger, derOctetString, derOid, derPrintableString, derSequence, derSet, derTlv, derUtf8String } from '../../../src/ca/der';
import { DerCursor, readBitString, readBoolean, readIntegerBytes, readOid, readOnly, readString, readTlv, TAG } from '../../../src/ca/der-reader';
import { AcmeError } from '../../../src/domain/errors';
import { csrDer, keyPair } from './support/keys-and-csrs';
import { type CsrOutcome, peculiarCheck, peculiarRead } from './support/peculiar-csr';

/*
 * The CSR is read as DER (csr-der.ts) instead of through @peculiar/x509's asn1js schemas. Here
 * @peculiar/x509 stays the oracle: for every CSR below the lean reader reads the same bytes and
 * values, and parseAndCheckCsr gives the same outcome as the former check (support/peculiar-csr.ts);
 * mutated CSRs are refused as badCSR or accepted exactly as the former check accepts them.
 */

const NAME = 'a.example.com';

/** The lean reading in the oracle's terms. */
function leanRead(der: Uint8Array) {
  const csr: CsrDer = readCsr(der);
  const requested = readExtensionValues(csr.extensions);
  const { oid: _oid, ...alg } = csr.signatureAlgorithm;
  return {
    info: Buffer.from(csr.info),
    spki: Buffer.from(csr.spki),
    signatureAlgorithm: alg,
    signature: Buffer.from(csr.signature),
    commonNames: csr.commonNames,
    extensions: csr.extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: Buffer.from(e.value) })),
    sanNames: requested.filter((e) => e.names).map((e) => e.names),
    basicConstraintsCa: requested.filter((e) => e.ca !== undefined).map((e) => e.ca),
  };
}

async function leanCheck(der: Uint8Array, expectedNames: string[], accountKeyThumbprint?: string): Promise<CsrOutcome> {
  try {
    const c = await parseAndCheckCsr(der, expectedNames, { accountKeyThumbprint });
    return { accepted: { names: c.names, commonName: c.commonName, keyName: c.keyName, spki: c.publicKeyDer.toString('hex'), mustStaple: c.mustStaple } };
  } catch (e) {
    if (e instanceof AcmeError && e.type === 'badCSR') return { refused: e.detail };
    throw e;
  }
}

/** Both outcomes equal; a CSR the oracle could not parse may be refused for another reason by the stricter reader. */
function expectSameOutcome(lean: CsrOutcome, oracle: CsrOutcome): void {
  if ('refused' in oracle && oracle.refused.startsWith('CSR could not be parsed: ')) {
    expect(lean).toMatchObject({ refused: expect.stringMatching(/^CSR could not be parsed: /) });
    return;
  }
  if ('refused' in lean && lean.refused.startsWith('CSR could not be parsed: ') && 'refused' in oracle) {
    // Stricter DER: refused earlier, still refused.
    return;
  }
  expect(lean).toEqual(oracle);
}

/*
 * Hand-written CSRs, for what @peculiar/x509's generator does not write: other string types in the
 * subject, other attributes, no attributes field, other general names, RSA-PSS parameters.
 */

const ec256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa2048 = (() => {
  let pair: ReturnType<typeof generateKeyPairSync> | null = null;
  return () => (pair ??= generateKeyPairSync('rsa', { modulusLength: 2048 }));
})();

const rdn = (oid: string, value: Uint8Array) => derSet([derSequence([derOid(oid), value])]);
const extension = (oid: string, value: Uint8Array, critical = false) => derSequence([derOid(oid), ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), derOctetString(value)]);
const extensionRequest = (extensions: Uint8Array[]) => derSequence([derOid('1.2.840.113549.1.9.14'), derSet([derSequence(extensions)])]);
const san = (names: Uint8Array[]) => extension('2.5.29.17', derSequence(names));
const dns = (name: string) => derTlv(0x82, Buffer.from(name, 'latin1'));

interface Handmade {
  subject?: Uint8Array[];
  /** Attribute elements; null leaves the attributes field out. */
  attributes?: Uint8Array[] | null;
  key?: { privateKey: KeyObject; publicKey: KeyObject };
  /** PSS with this hash and salt length; absent parameters when `pss` is 'absent'. */
  pss?: { hash: 'sha256' | 'sha384' | 'sha512'; saltLength: number } | 'absent';
}

const HASH_OIDS = { sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3' } as const;

function handmade(o: Handmade = {}): Buffer {
  const key = o.key ?? ec256();
  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  const attributes = o.attributes === undefined ? [extensionRequest([san([dns(NAME)])])] : o.attributes;
  const info = derSequence([derInteger(0n), derSequence(o.subject ?? []), spki, ...(attributes === null ? [] : [derTlv(0xa0, Buffer.concat(attributes))])]);
  const isEc = key.publicKey.asymmetricKeyType === 'ec';
  if (o.pss) {
    const { hash, saltLength } = o.pss === 'absent' ? { hash: 'sha1' as const, saltLength: 20 } : o.pss;
    const hashAlg = derSequence([derOid(HASH_OIDS[hash]), Buffer.from([0x05, 0x00])]);
    const params = o.pss === 'absent' ? [] : [derSequence([derTlv(0xa0, hashAlg), derTlv(0xa1, derSequence([derOid('1.2.840.113549.1.1.8'), hashAlg])), derTlv(0xa2, derInteger(BigInt(saltLength)))])];
    const signature = sign(hash, info, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    return derSequence([info, derSequence([derOid('1.2.840.113549.1.1.10'), ...params]), derBitString(signature)]);
  }
  const algorithm = isEc ? derSequence([derOid('1.2.840.10045.4.3.2')]) : derSequence([derOid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00])]);
  return derSequence([info, algorithm, derBitString(sign('sha256', info, isEc ? { key: key.privateKey, dsaEncoding: 'der' } : key.privateKey))]);
}

/** The CSR with another signatureAlgorithm element (its signature then no longer matches). */
function withSignatureAlgorithm(der: Buffer, algorithm: Uint8Array): Buffer {
  const c = DerCursor.inside(der, readTlv(der, 0, der.length, 'csr'), 'csr');
  const info = c.any('info');
  c.any('alg');
  const signature = c.any('sig');
  return derSequence([der.subarray(info.start, info.end), algorithm, der.subarray(signature.start, signature.end)]);
}

async function pssCsr(hash: string, saltLength: number): Promise<Buffer> {
  const keys = await keyPair('RSA-2048');
  const alg = { name: 'RSA-PSS', hash };
  const signing = {
    privateKey: await crypto.subtle.importKey('pkcs8', await crypto.subtle.exportKey('pkcs8', keys.privateKey), alg, true, ['sign']),
    publicKey: await crypto.subtle.importKey('spki', await crypto.subtle.exportKey('spki', keys.publicKey), alg, true, ['verify']),
  };
  return csrDer([NAME], { keys: signing, signingAlgorithm: { name: 'RSA-PSS', hash, saltLength } as RsaPssParams });
}

async function pkcs1Csr(hash: string): Promise<Buffer> {
  const keys = await keyPair('RSA-2048');
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash };
  const signing = {
    privateKey: await crypto.subtle.importKey('pkcs8', await crypto.subtle.exportKey('pkcs8', keys.privateKey), alg, true, ['sign']),
    publicKey: await crypto.subtle.importKey('spki', await crypto.subtle.exportKey('spki', keys.publicKey), alg, true, ['verify']),
  };
  return csrDer([NAME], { keys: signing, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' } });
}

async function acmeClientCsr(fields: acme.CsrOptions, key: Buffer): Promise<Buffer> {
  const [, pem] = await acme.crypto.createCsr(fields, key);
  return Buffer.from(x509.PemConverter.decode(pem.toString())[0]);
}

const bmp = (text: string) => derTlv(TAG.BMP_STRING, Buffer.from(text, 'utf16le').swap16());
const universal = (text: string) => derTlv(TAG.UNIVERSAL_STRING, Buffer.concat([...text].map((ch) => Buffer.from([0, 0, 0, ch.charCodeAt(0)]))));
const CN = '2.5.4.3';

/** CSRs and the names an order for them would have; the outcome of both checks is compared too. */
const CASES: Array<[string, () => Promise<Buffer> | Buffer, string[]]> = [
  ['P-256, SHA-256', () => csrDer([NAME, 'b.example.com'], { kind: 'P-256' }), [NAME, 'b.example.com']],
  ['P-384, SHA-384', () => csrDer([NAME], { kind: 'P-384' }), [NAME]],
  ['P-256 signed with SHA-512', async () => csrDer([NAME], { keys: await keyPair('P-256'), signingAlgorithm: { name: 'ECDSA', hash: 'SHA-512' } as EcdsaParams }), [NAME]],
  ['P-256 signed with SHA-1', async () => csrDer([NAME], { keys: await keyPair('P-256'), signingAlgorithm: { name: 'ECDSA', hash: 'SHA-1' } as EcdsaParams }), [NAME]],
  ['RSA-2048 PKCS#1 v1.5 SHA-256', () => pkcs1Csr('SHA-256'), [NAME]],
  ['RSA-2048 PKCS#1 v1.5 SHA-384', () => pkcs1Csr('SHA-384'), [NAME]],
  ['RSA-2048 PKCS#1 v1.5 SHA-512', () => pkcs1Csr('SHA-512'), [NAME]],
  ['RSA-2048 PSS SHA-256', () => pssCsr('SHA-256', 32), [NAME]],
  ['RSA-2048 PSS SHA-384', () => pssCsr('SHA-384', 48), [NAME]],
  ['RSA-2048 PSS SHA-512', () => pssCsr('SHA-512', 64), [NAME]],
  ['RSA-2048 PSS SHA-256, salt 0', () => pssCsr('SHA-256', 0), [NAME]],
  ['RSA-2048 PSS, parameters written by hand', () => handmade({ key: rsa2048(), pss: { hash: 'sha384', saltLength: 20 } }), [NAME]],
  ['P-521 key', () => csrDer([NAME], { kind: 'P-521' }), [NAME]],
  ['Ed25519 key', () => csrDer([NAME], { kind: 'Ed25519' }), [NAME]],
  ['no subject, no SAN', () => csrDer([]), [NAME]],
  ['CN only', () => csrDer([], { subject: `CN=${NAME}` }), [NAME]],
  ['CN and O, SANs', () => csrDer([NAME, 'b.example.com'], { subject: 'CN=B.Example.com, O=Example, C=DE' }), [NAME, 'b.example.com']],
  ['two CNs', () => csrDer([NAME], { subject: `CN=${NAME}, CN=b.example.com` }), [NAME]],
  ['a CN that is not a SAN', () => csrDer([NAME], { subject: 'CN=z.example.com' }), [NAME]],
  ['a UTF8String CN', () => csrDer([], { subject: 'CN=ümlaut.example.com' }), [NAME]],
  ['several SANs, mixed case and repeated', () => csrDer(['A.example.com', 'b.example.com', 'a.example.COM', '*.c.example.com']), [NAME, 'b.example.com', '*.c.example.com']],
  ['IP SANs', () => csrDer([], { san: [{ type: 'dns', value: NAME }, { type: 'ip', value: '192.0.2.1' }, { type: 'ip', value: '2001:db8::1' }, { type: 'ip', value: '2001:db8:0:0:1:0:0:1' }] }), [NAME, '192.0.2.1', '2001:db8::1', '2001:db8::1:0:0:1']],
  ['an IPv4-mapped IPv6 SAN', () => csrDer([], { san: [{ type: 'ip', value: '::ffff:192.0.2.1' }] }), [NAME]],
  ['an email SAN', () => csrDer([], { san: [{ type: 'dns', value: NAME }, { type: 'email', value: 'admin@example.com' }] }), [NAME]],
  ['a URI SAN', () => csrDer([], { san: [{ type: 'url', value: 'https://a.example.com/' }] }), [NAME]],
  ['a directoryName SAN', () => csrDer([], { san: [{ type: 'dn', value: 'CN=Some One, O=Example\\, Inc.+OU=Ops, E=x@example.com' }] }), [NAME]],
  ['a registeredID SAN', () => csrDer([], { san: [{ type: 'id', value: '1.2.3.4.5' }] }), [NAME]],
  ['a GUID SAN', () => csrDer([], { san: [{ type: 'guid', value: '8ee4a2b5-5b3e-4a4c-9f42-1c2d3e4f5a6b' }] }), [NAME]],
  ['a UPN SAN', () => csrDer([], { san: [{ type: 'upn', value: 'someone@example.com' }] }), [NAME]],
  ['keyUsage, extendedKeyUsage, basicConstraints CA:false, subjectKeyIdentifier', async () => {
    const keys = await keyPair('P-256');
    return csrDer([NAME], { keys, extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]), new x509.BasicConstraintsExtension(false), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)] });
  }, [NAME]],
  ['basicConstraints CA:true with a path length', () => csrDer([NAME], { extensions: [new x509.BasicConstraintsExtension(true, 2, true)] }), [NAME]],
  ['must-staple', () => csrDer([NAME], { extensions: [mustStapleExtension()] }), [NAME]],
  ['another TLS Feature', () => csrDer([NAME], { extensions: [new x509.Extension(OID_TLS_FEATURE, false, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x11]))] }), [NAME]],
  ['an unknown extension', () => csrDer([NAME], { extensions: [new x509.Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([0x05, 0x00]))] }), [NAME]],
  ['certificatePolicies', () => csrDer([NAME], { extensions: [new x509.CertificatePolicyExtension(['2.23.140.1.2.1'])] }), [NAME]],
  ['a duplicate extension', () => csrDer([NAME], { extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature)] }), [NAME]],
  ['a duplicate subjectAltName', () => csrDer([NAME], { extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: NAME }])] }), [NAME]],
  ['a challengePassword attribute', async () => {
    const keys = await keyPair('P-256');
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams, attributes: [new x509.ChallengePasswordAttribute('secret')], extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: NAME }])] });
    return Buffer.from(csr.rawData);
  }, [NAME]],
  ['a UTF8String challengePassword and an unknown attribute', () => handmade({ attributes: [derSequence([derOid('1.2.840.113549.1.9.7'), derSet([derUtf8String('pässword')])]), derSequence([derOid('1.2.840.113549.1.9.2'), derSet([derPrintableString('unstructured')])]), extensionRequest([san([dns(NAME)])])] }), [NAME]],
  ['no attributes field', () => handmade({ subject: [rdn(CN, derPrintableString(NAME))], attributes: null }), [NAME]],
  ['an empty attributes field', () => handmade({ subject: [rdn(CN, derPrintableString(NAME))], attributes: [] }), [NAME]],
  ['an empty extensionRequest', () => handmade({ subject: [rdn(CN, derPrintableString(NAME))], attributes: [extensionRequest([])] }), [NAME]],
  ['an IA5String CN', () => handmade({ subject: [rdn(CN, derTlv(TAG.IA5_STRING, Buffer.from(NAME)))] }), [NAME]],
  ['a TeletexString CN', () => handmade({ subject: [rdn(CN, derTlv(TAG.TELETEX_STRING, Buffer.from(NAME)))] }), [NAME]],
  ['a BMPString CN', () => handmade({ subject: [rdn(CN, bmp(NAME))] }), [NAME]],
  ['a UniversalString CN', () => handmade({ subject: [rdn(CN, universal(NAME))] }), [NAME]],
  ['a CN of another type (shown as hex)', () => handmade({ subject: [rdn(CN, derTlv(0x1a, Buffer.from(NAME)))] }), [NAME]],
  ['a multi-valued RDN with the CN', () => handmade({ subject: [derSet([derSequence([derOid('2.5.4.10'), derPrintableString('Example')]), derSequence([derOid(CN), derPrintableString(NAME)])])] }), [NAME]],
  ['an explicit critical FALSE', () => handmade({ attributes: [extensionRequest([derSequence([derOid('2.5.29.17'), Buffer.from([0x01, 0x01, 0x00]), derOctetString(derSequence([dns(NAME)]))])])] }), [NAME]],
  ['iPAddress SANs of 8, 32 and 5 bytes', () => handmade({ attributes: [extensionRequest([san([derTlv(0x87, Buffer.from([192, 0, 2, 0, 255, 255, 255, 0])), derTlv(0x87, Buffer.alloc(32, 0x11)), derTlv(0x87, Buffer.from([1, 2, 3, 4, 5]))])])] }), [NAME]],
  ['an IPv6 SAN with two zero runs', () => handmade({ attributes: [extensionRequest([san([derTlv(0x87, Buffer.from('20010db8000000010000000000000001', 'hex'))])])] }), [NAME, '2001:db8:0:1::1']],
  ['a DN SAN with specials and a non-string value', () => handmade({ attributes: [extensionRequest([san([derTlv(0xa4, derSequence([rdn(CN, derUtf8String(' #a,b+c"d\\e<f>g;h\ti ')), rdn('2.5.4.45', derTlv(0x03, Buffer.from([0, 1, 2])))]))])])] }), [NAME]],
  ['acme-client, ECDSA with CN and SANs', async () => acmeClientCsr({ commonName: NAME, altNames: [NAME, 'b.example.com'] }, await acme.crypto.createPrivateEcdsaKey()), [NAME, 'b.example.com']],
  ['acme-client, RSA with SANs only', async () => acmeClientCsr({ altNames: [NAME] }, await acme.crypto.createPrivateRsaKey(2048)), [NAME]],
];

describe('readCsr reads what @peculiar/x509 reads', () => {
  test.each(CASES)('%s', async (_label, make, names) => {
    const der = await make();
    const oracle = peculiarRead(der);
    const { verifies: _verifies, ...expected } = oracle;
    expect(leanRead(der)).toEqual(expected);
    expectSameOutcome(await leanCheck(der, names), await peculiarCheck(der, names));
  });

  test('RSA-PSS without parameters reads as RFC 4055 defines it (SHA-1, salt 20), where @peculiar/x509 named no hash; both are refused', async () => {
    const der = handmade({ key: rsa2048(), pss: 'absent' });
    expect(readCsr(der).signatureAlgorithm).toEqual({ oid: '1.2.840.113549.1.1.10', name: 'RSA-PSS', hash: 'SHA-1', saltLength: 20 });
    expect(peculiarRead(der).signatureAlgorithm).toEqual({ name: 'RSA-PSS', hash: null });
    expect(await leanCheck(der, [NAME])).toEqual({ refused: expect.stringMatching(/^CSR signature algorithm RSA-PSS with SHA-1 is not accepted/) });
    expect(await peculiarCheck(der, [NAME])).toEqual({ refused: expect.stringMatching(/^CSR signature algorithm RSA-PSS is not accepted/) });
  });

  test.each([
    '1.2.840.10045.4.1', '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4',
    '1.2.840.113549.1.1.1', '1.2.840.113549.1.1.5', '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13',
    '1.3.101.110', '1.3.101.111', '1.3.101.112', '1.3.101.113',
    ...Array.from({ length: 15 }, (_, k) => `2.16.840.1.101.3.4.3.${17 + k}`),
    '1.2.3.4.5.6.7',
  ])('signature algorithm %s is named as @peculiar/x509 names it', async (oid) => {
    const der = withSignatureAlgorithm(await csrDer([NAME]), derSequence([derOid(oid)]));
    const { oid: read, ...lean } = readCsr(der).signatureAlgorithm;
    expect(read).toBe(oid);
    expect(lean).toEqual(peculiarRead(der).signatureAlgorithm);
    expectSameOutcome(await leanCheck(der, [NAME]), await peculiarCheck(der, [NAME]));
  });
});

describe('the DER reader refuses malformations, saying which', () => {
  test.each([
    ['an indefinite length', '3080020100' + '0000', /indefinite length/],
    ['a long-form length under 128', '30810302010a', /long-form length for 3 bytes/],
    ['a length with a leading zero byte', '3082000302010a', /leading zero byte/],
    ['a truncated element', '300502010a', /truncated: 5 content bytes announced, 3 there/],
    ['trailing bytes', '300302010a00', /1 unexpected bytes at offset 5/],
    ['a multi-byte tag', '1f8101', /multi-byte tag/],
  ])('%s', (_label, hex, message) => {
    expect(() => readOnly(Buffer.from(hex, 'hex'), TAG.SEQUENCE, 'test')).toThrow(message);
  });

  /** Reads the one element in `hex` with `read`. */
  const value = <T>(read: (der: Uint8Array, tlv: ReturnType<typeof readTlv>, what: string) => T, hex: string): T => {
    const der = Buffer.from(hex, 'hex');
    return read(der, readTlv(der, 0, der.length, 'test'), 'test');
  };

  test('values', () => {
    expect(value(readOid, '06092a864886f70d01090e')).toBe('1.2.840.113549.1.9.14');
    expect(value(readOid, '0603883703')).toBe('2.999.3');
    expect(() => value(readOid, '0603808101')).toThrow(/leading 0x80/);
    expect(() => value(readOid, '060181')).toThrow(/ends inside an arc/);
    expect(() => value(readOid, '0600')).toThrow(/empty OBJECT IDENTIFIER/);
    // A UUID arc (2.25.<128 bits>) takes 19 bytes and is read; a 21-byte arc is refused.
    const uuid = BigInt('0x' + 'f'.repeat(32));
    const base128 = (n: bigint) => {
      const out = [Number(n & 0x7fn)];
      for (n >>= 7n; n > 0n; n >>= 7n) out.unshift(Number(n & 0x7fn) | 0x80);
      return out;
    };
    const oid = (arcs: number[]) => Buffer.from([0x06, arcs.length, ...arcs]).toString('hex');
    expect(value(readOid, oid([0x69, ...base128(uuid)]))).toBe(`2.25.${uuid}`);
    expect(() => value(readOid, oid([0x2a, ...Array(20).fill(0xff), 0x7f]))).toThrow(/arc longer than 20 bytes/);
    expect(() => value(readIntegerBytes, '0202007f')).toThrow(/redundant leading byte/);
    expect(() => value(readIntegerBytes, '0202ff80')).toThrow(/redundant leading byte/);
    expect(Buffer.from(value(readIntegerBytes, '02020080'))).toEqual(Buffer.from([0x00, 0x80]));
    expect(() => value(readBoolean, '010101')).toThrow(/0x01/);
    expect(value(readBoolean, '0101ff')).toBe(true);
    expect(() => value(readBitString, '03020101')).toThrow(/padding bits/);
    expect(() => value(readBitString, '030108')).toThrow(/8 unused bits/);
    expect(value(readBitString, '03020780').unusedBits).toBe(7);
    expect(() => value(readString, '0c01ff')).toThrow(/not valid UTF-8/);
    expect(value(readString, '1e0400e40041')).toBe('äA');
  });

  test('a CSR of another version', () => {
    const der = handmade();
    const info = readTlv(der, readTlv(der, 0, der.length, 'csr').content, der.length, 'info');
    const version = readTlv(der, info.content, info.end, 'version');
    const m = Buffer.from(der);
    m[version.content] = 1;
    expect(() => readCsr(m)).toThrow(/the CSR version is 1/);
  });

  test('two extensionRequest attributes, or one with two values, are refused (@peculiar/x509 read only the first)', () => {
    const ext = derSequence([san([dns(NAME)])]);
    expect(() => readCsr(handmade({ attributes: [extensionRequest([san([dns(NAME)])]), extensionRequest([extension('1.2.3.4', Buffer.from([5, 0]))])] }))).toThrow(/more than one extensionRequest/);
    expect(() => readCsr(handmade({ attributes: [derSequence([derOid('1.2.840.113549.1.9.14'), derSet([ext, ext])])] }))).toThrow(/2 values/);
  });
});

/** Every outcome of a mutated CSR: a badCSR refusal, or the oracle's acceptance with a signature that verifies. */
async function checkMutant(der: Buffer, names: string[]): Promise<'refused' | 'accepted'> {
  let lean: CsrOutcome;
  try {
    lean = await leanCheck(der, names);
  } catch (e) {
    throw new Error(`mutant ${der.toString('hex')} threw ${String(e)} instead of a badCSR refusal`);
  }
  if ('refused' in lean) return 'refused';
  expect(await peculiarCheck(der, names)).toEqual(lean);
  expect(await peculiarRead(der).verifies()).toBe(true);
  return 'accepted';
}

describe('mutated CSRs are refused as badCSR or accepted exactly as before', () => {
  test('every byte of a P-256 CSR flipped three ways, every truncation, and extensions', async () => {
    const der = await csrDer([NAME], { kind: 'P-256' });
    let refused = 0;
    for (let i = 0; i < der.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const m = Buffer.from(der);
        m[i] ^= mask;
        if ((await checkMutant(m, [NAME])) === 'refused') refused++;
      }
    }
    for (let n = 0; n < der.length; n++) expect(await checkMutant(der.subarray(0, n), [NAME])).toBe('refused');
    for (const tail of [[0x00], [0x05, 0x00], [0x30, 0x00]]) expect(await checkMutant(Buffer.concat([der, Buffer.from(tail)]), [NAME])).toBe('refused');
    expect(refused).toBeGreaterThan(der.length * 3 - 10);
    expect(await checkMutant(der, [NAME])).toBe('accepted');
  });

  test('every byte of an RSA-PSS CSR with a CN flipped, and every truncation', async () => {
    const der = handmade({ key: rsa2048(), pss: { hash: 'sha256', saltLength: 32 }, subject: [rdn(CN, derPrintableString(NAME))] });
    expect(await checkMutant(der, [NAME])).toBe('accepted');
    for (let i = 0; i < der.length; i++) {
      const m = Buffer.from(der);
      m[i] ^= 0x01;
      await checkMutant(m, [NAME]);
    }
    for (let n = 0; n < der.length; n += 1) expect(await checkMutant(der.subarray(0, n), [NAME])).toBe('refused');
  });

  test('a CSR with every kind of extension, each byte flipped', async () => {
    const keys = await keyPair('P-256');
    const der = await csrDer([NAME], { keys, subject: `CN=${NAME}`, extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]), new x509.BasicConstraintsExtension(false), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)] });
    expect(await checkMutant(der, [NAME])).toBe('accepted');
    for (let i = 0; i < der.length; i++) {
      const m = Buffer.from(der);
      m[i] ^= 0x04;
      await checkMutant(m, [NAME]);
    }
  });
});

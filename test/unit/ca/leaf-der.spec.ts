import { generateKeyPairSync, X509Certificate as NodeX509 } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { x509 } from '../../../src/ca/crypto';
import type { CsrExtension } from '../../../src/ca/csr-der';
import { mustStapleExtension } from '../../../src/ca/csr-extensions';
import { parseAndCheckCsr } from '../../../src/ca/csr';
import { derChild, derFirstChild, derNamedBits, derOid, derTime, derUnsignedInteger } from '../../../src/ca/der';
import { type CaMaterial, loadOrCreateCa } from '../../../src/ca/internal/ca-files';
import { InternalCa } from '../../../src/ca/internal/internal-ca';
import type { CaKeyType } from '../../../src/ca/internal/key-files';
import { EKU_CLIENT_AUTH, EKU_SERVER_AUTH, ipBytes, type LeafExtensionInput, leafExtensions } from '../../../src/ca/internal/leaf-profile';
import { LeafSigner } from '../../../src/ca/internal/leaf-signer';
import { randomSerial } from '../../../src/ca/internal/serial';
import { checkCertificateKey, subjectKeyIdentifier } from '../../../src/ca/key-policy';
import { caOptions, DAY_MS, removeTempDirs, tempDir } from './support/ca-options';
import { csrDer, keyPair } from './support/keys-and-csrs';

afterAll(removeTempDirs);

/*
 * The oracle: the leaf's TBSCertificate and extensions as the CA built them with
 * @peculiar/asn1-schema and @peculiar/asn1-x509 before they were written as DER directly (a copy
 * of that leafExtensions and LeafSigner.create/sign). The DER the CA writes now must be the same
 * bytes for every input.
 */
const oracleExtension = (extnID: string, critical: boolean, value: object) => new asn.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

const oracleUri = (uniformResourceIdentifier: string) => new asn.GeneralName({ uniformResourceIdentifier });

function oracleExtensions(i: LeafExtensionInput): asn.Extension[] {
  const usage = asn.KeyUsageFlags.digitalSignature | (i.keyType === 'rsa' ? asn.KeyUsageFlags.keyEncipherment : 0);
  const names = i.names.map((value) => new asn.GeneralName(isIP(value) ? { iPAddress: value } : { dNSName: value }));
  return [
    oracleExtension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints({ cA: false })),
    oracleExtension(asn.id_ce_keyUsage, true, new asn.KeyUsage(usage)),
    oracleExtension(asn.id_ce_extKeyUsage, false, new asn.ExtendedKeyUsage(i.clientAuth ? [EKU_SERVER_AUTH, EKU_CLIENT_AUTH] : [EKU_SERVER_AUTH])),
    oracleExtension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(Uint8Array.from(Buffer.from(i.subjectKeyId, 'hex')).buffer)),
    oracleExtension(asn.id_ce_authorityKeyIdentifier, false, new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(Uint8Array.from(Buffer.from(i.issuerKeyId, 'hex')).buffer) })),
    oracleExtension(asn.id_ce_subjectAltName, i.subjectEmpty, new asn.SubjectAlternativeName(names)),
    ...(i.crlUrl ? [oracleExtension(asn.id_ce_cRLDistributionPoints, false, new asn.CRLDistributionPoints([new asn.DistributionPoint({ distributionPoint: new asn.DistributionPointName({ fullName: [oracleUri(i.crlUrl)] }) })]))] : []),
    ...(i.issuerUrl
      ? [oracleExtension(asn.id_pe_authorityInfoAccess, false, new asn.AuthorityInfoAccessSyntax([new asn.AccessDescription({ accessMethod: asn.id_ad_caIssuers, accessLocation: oracleUri(i.issuerUrl) })]))]
      : []),
    ...i.copy.map((e) => new asn.Extension({ extnID: e.oid, critical: e.critical, extnValue: new OctetString(Uint8Array.from(e.value).buffer) })),
  ];
}

interface OracleIssuer {
  algorithm: asn.AlgorithmIdentifier;
  issuer: asn.Name;
}

function oracleIssuer(m: CaMaterial): OracleIssuer {
  const merged = { hash: 'SHA-256', ...m.signingAlgorithm, ...m.signingKey.algorithm } as Algorithm & { hash: string | { name: string } };
  return {
    algorithm: new x509.AlgorithmProvider().toAsnAlgorithm(merged as never),
    issuer: AsnConvert.parse(m.intermediate.subjectName.toArrayBuffer(), asn.Name),
  };
}

const wholeSeconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

interface Leaf {
  serial: string;
  commonName: string | null;
  notBefore: Date;
  notAfter: Date;
  publicKeyDer: Uint8Array;
}

function oracleTbs(o: OracleIssuer, leaf: Leaf, extensions: asn.Extension[]): Buffer {
  const tbs = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: Uint8Array.from(Buffer.from(leaf.serial, 'hex')).buffer,
    signature: o.algorithm,
    issuer: o.issuer,
    validity: new asn.Validity({ notBefore: wholeSeconds(leaf.notBefore), notAfter: wholeSeconds(leaf.notAfter) }),
    subject: leaf.commonName ? AsnConvert.parse(new x509.Name([{ CN: [leaf.commonName] }]).toArrayBuffer(), asn.Name) : new asn.Name(),
    subjectPublicKeyInfo: AsnConvert.parse(leaf.publicKeyDer, asn.SubjectPublicKeyInfo),
    extensions: new asn.Extensions(extensions),
  });
  return Buffer.from(AsnConvert.serialize(tbs));
}

type LeafKind = 'P-256' | 'P-384' | 'RSA-2048';

function leafKey(kind: LeafKind) {
  const { publicKey } = kind === 'RSA-2048' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: kind });
  const key = checkCertificateKey(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })));
  return { publicKeyDer: new Uint8Array(key.publicKeyDer), keyType: key.keyType, subjectKeyId: subjectKeyIdentifier(key) };
}

const TWENTY_NAMES = Array.from({ length: 20 }, (_, k) => `host-${String(k).padStart(2, '0')}.some-longer-zone.example.com`);
const CN_64 = `${'a'.repeat(51)}.example.com`;
const TLS_FEATURE = mustStapleExtension();
const CRITICAL_COPY: CsrExtension = { oid: '1.3.6.1.4.1.55555.1', critical: true, value: Uint8Array.from([0x05, 0x00]) };
const AT_2026 = { notBefore: new Date('2026-03-01T12:34:56.789Z'), notAfter: new Date('2026-05-30T12:34:56.001Z') };

interface Case {
  name: string;
  commonName: string | null;
  names: string[];
  clientAuth?: boolean;
  crlUrl?: string | null;
  issuerUrl?: string | null;
  copy?: CsrExtension[];
  serial?: string;
  notBefore?: Date;
  notAfter?: Date;
}

const CRL_URL = 'http://ca.example.test/crl';
const ISSUER_URL = 'http://ca.example.test/issuer.cer';

const CASES: Case[] = [
  { name: 'one name with a common name', commonName: 'example.com', names: ['example.com'] },
  { name: 'one name, empty subject (critical SAN)', commonName: null, names: ['example.com'] },
  { name: '20 names with a common name', commonName: TWENTY_NAMES[0], names: TWENTY_NAMES },
  { name: '20 names, empty subject', commonName: null, names: TWENTY_NAMES },
  { name: 'an IPv4 and an IPv6 identifier', commonName: null, names: ['192.0.2.10', '2001:db8::1'] },
  { name: 'IPv6 forms and a DNS name', commonName: '203.0.113.255', names: ['203.0.113.255', '::1', '2001:db8:0:1:2:3:4:5', 'fe80::', '2001:db8::ff00:42:8329', 'example.com'] },
  { name: 'clientAuth', commonName: 'example.com', names: ['example.com'], clientAuth: true },
  { name: 'no CRL or issuer URL', commonName: 'example.com', names: ['example.com'], crlUrl: null, issuerUrl: null },
  { name: 'CRL URL only', commonName: 'example.com', names: ['example.com'], issuerUrl: null },
  { name: 'issuer URL only', commonName: 'example.com', names: ['example.com'], crlUrl: null },
  { name: 'URLs longer than 127 bytes', commonName: 'example.com', names: ['example.com'], crlUrl: `http://ca.example.test/${'c'.repeat(130)}.crl`, issuerUrl: `http://ca.example.test/${'i'.repeat(300)}.cer` },
  { name: 'a copied TLS Feature (must-staple)', commonName: 'example.com', names: ['example.com'], copy: [TLS_FEATURE] },
  { name: 'a copied critical extension after the TLS Feature', commonName: null, names: ['example.com'], copy: [TLS_FEATURE, CRITICAL_COPY] },
  { name: 'a serial with a small first byte', commonName: 'example.com', names: ['example.com'], serial: '01ffffffffffffffffffffffffffffff' },
  { name: 'a serial of 0x7f…', commonName: 'example.com', names: ['example.com'], serial: '7f000000000000000000000000000001' },
  { name: 'notAfter in 2050 (GeneralizedTime)', commonName: 'example.com', names: ['example.com'], notBefore: new Date('2049-12-31T23:59:59.999Z'), notAfter: new Date('2050-01-01T00:00:00Z') },
  { name: 'notBefore and notAfter after 2050', commonName: 'example.com', names: ['example.com'], notBefore: new Date('2051-07-04T01:02:03Z'), notAfter: new Date('2099-12-31T23:59:59Z') },
  { name: 'a common name of 64 characters', commonName: CN_64, names: [CN_64, 'example.com'] },
  { name: 'a wildcard common name (UTF8String)', commonName: '*.example.com', names: ['*.example.com'] },
  { name: 'a non-ASCII common name (UTF8String)', commonName: 'bücher.example', names: ['xn--bcher-kva.example'] },
  { name: "a common name of every PrintableString punctuation (' ( ) + , - . / : = ? and space)", commonName: "a'b(c)d+e,f-g.h/i:j=k?l m", names: ['example.com'] },
  { name: 'a common name with an underscore (UTF8String)', commonName: '_acme.example.com', names: ['example.com'] },
];

describe.each<[CaKeyType]>([['ecdsa-p256'], ['rsa-2048']])('leaf DER with a %s intermediate equals the asn1-schema encoding', (caKeyType) => {
  let material: CaMaterial;
  let signer: LeafSigner;
  let oracle: OracleIssuer;
  let issuerKeyId: string;
  const keys = new Map<LeafKind, ReturnType<typeof leafKey>>();

  beforeAll(async () => {
    material = await loadOrCreateCa({ dataDir: tempDir(`leaf-der-${caKeyType}`), keyType: caKeyType }, new Date('2026-01-01T00:00:00Z'));
    signer = LeafSigner.create(material.signingKey, material.signingAlgorithm, material.intermediate);
    oracle = oracleIssuer(material);
    issuerKeyId = material.intermediate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    for (const kind of ['P-256', 'P-384', 'RSA-2048'] as const) keys.set(kind, leafKey(kind));
  });

  const kinds: LeafKind[] = ['P-256', 'P-384', 'RSA-2048'];
  test.each(kinds.flatMap((kind) => CASES.map((c) => [kind, c.name, c] as const)))('%s leaf key: %s', (kind, _name, c) => {
    const key = keys.get(kind)!;
    const input: LeafExtensionInput = {
      subjectKeyId: key.subjectKeyId,
      keyType: key.keyType,
      names: c.names,
      subjectEmpty: c.commonName === null,
      issuerKeyId,
      clientAuth: c.clientAuth ?? false,
      crlUrl: c.crlUrl === undefined ? CRL_URL : c.crlUrl,
      issuerUrl: c.issuerUrl === undefined ? ISSUER_URL : c.issuerUrl,
      copy: c.copy ?? [],
    };
    const leaf: Leaf = {
      serial: c.serial ?? randomSerial(),
      commonName: c.commonName,
      notBefore: c.notBefore ?? AT_2026.notBefore,
      notAfter: c.notAfter ?? AT_2026.notAfter,
      publicKeyDer: key.publicKeyDer,
    };
    const extensions = leafExtensions(input);
    const expectedExtensions = oracleExtensions(input);
    expect(extensions.map((e) => e.toString('hex'))).toEqual(expectedExtensions.map((e) => Buffer.from(AsnConvert.serialize(e)).toString('hex')));
    const signed = signer.sign({ ...leaf, extensions });
    expect(Buffer.from(derFirstChild(signed.der)).toString('hex')).toBe(oracleTbs(oracle, leaf, expectedExtensions).toString('hex'));
    expect(signed.notBefore).toEqual(wholeSeconds(leaf.notBefore));
    expect(signed.notAfter).toEqual(wholeSeconds(leaf.notAfter));
  });

  test('the issuer is the intermediate subject as its certificate carries it, the same bytes asn1-schema writes', () => {
    const leaf = signer.sign({ ...AT_2026, serial: randomSerial(), commonName: null, publicKeyDer: keys.get('P-256')!.publicKeyDer, extensions: [] });
    const tbs = derFirstChild(leaf.der);
    expect(Buffer.from(derChild(tbs, 3))).toEqual(Buffer.from(material.intermediate.subjectName.toArrayBuffer()));
    expect(Buffer.from(derChild(tbs, 3))).toEqual(Buffer.from(derChild(derFirstChild(new Uint8Array(material.intermediate.rawData)), 5)));
  });

  /*
   * Serials outside what randomSerial() produces: asn1-schema wrote the hex as the INTEGER's
   * content unchanged, so a serial with the high bit set came out negative and leading zero bytes
   * stayed. The DER writer keeps the number positive and minimal; the rest of the TBSCertificate
   * is unchanged.
   */
  test.each([
    ['the high bit set', '80112233445566778899aabbccddeeff', '021100' + '80112233445566778899aabbccddeeff'],
    ['0xff first', 'ff', '020200ff'],
    ['redundant leading zeros', '00007f01', '02027f01'],
    ['a leading zero before the high bit', '0080', '02020080'],
  ])('a serial with %s is a positive minimal INTEGER, the rest as before', (_what, serial, integerHex) => {
    const key = keys.get('P-256')!;
    const input: LeafExtensionInput = { subjectKeyId: key.subjectKeyId, keyType: key.keyType, names: ['example.com'], subjectEmpty: false, issuerKeyId, clientAuth: false, crlUrl: CRL_URL, issuerUrl: null, copy: [] };
    const leaf: Leaf = { serial, commonName: 'example.com', ...AT_2026, publicKeyDer: key.publicKeyDer };
    const tbs = derFirstChild(signer.sign({ ...leaf, extensions: leafExtensions(input) }).der);
    const expected = oracleTbs(oracle, leaf, oracleExtensions(input));
    expect(Buffer.from(derChild(tbs, 1)).toString('hex')).toBe(integerHex);
    for (const k of [0, 2, 3, 4, 5, 6, 7]) expect(Buffer.from(derChild(tbs, k))).toEqual(Buffer.from(derChild(expected, k)));
  });
});

describe('DER writers', () => {
  test('OBJECT IDENTIFIER: arcs of one and several base-128 bytes, encoded once', () => {
    expect(derOid('2.5.29.17').toString('hex')).toBe('0603551d11');
    expect(derOid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
    expect(derOid('1.3.6.1.4.1.311.21.7').toString('hex')).toBe('06092b0601040182371507');
    expect(derOid('2.999.3').toString('hex')).toBe('0603883703');
    expect(derOid('2.5.29.17')).toBe(derOid('2.5.29.17'));
    expect(() => derOid('1.40')).toThrow(RangeError);
    expect(() => derOid('1.2.x')).toThrow(RangeError);
  });

  test('INTEGER from unsigned bytes', () => {
    expect(derUnsignedInteger(Buffer.from('00', 'hex')).toString('hex')).toBe('020100');
    expect(derUnsignedInteger(Buffer.from('7f', 'hex')).toString('hex')).toBe('02017f');
    expect(derUnsignedInteger(Buffer.from('80', 'hex')).toString('hex')).toBe('02020080');
    expect(derUnsignedInteger(Buffer.from('000080', 'hex')).toString('hex')).toBe('02020080');
  });

  test('named bits drop trailing zero bits and count the unused ones', () => {
    expect(derNamedBits(0b1).toString('hex')).toBe('03020780');
    expect(derNamedBits(0b101).toString('hex')).toBe('030205a0');
    expect(derNamedBits(0b1_0000_0001).toString('hex')).toBe('0303078080');
    expect(derNamedBits(0).toString('hex')).toBe('030100');
  });

  test('time: UTCTime from 1950 through 2049, GeneralizedTime outside, whole seconds in Z', () => {
    const text = (d: string) => {
      const der = derTime(new Date(d));
      return `${der[0].toString(16)}:${der.subarray(2).toString('latin1')}`;
    };
    expect(text('1950-01-01T00:00:00Z')).toBe('17:500101000000Z');
    expect(text('2026-03-01T12:34:56Z')).toBe('17:260301123456Z');
    expect(text('2049-12-31T23:59:59Z')).toBe('17:491231235959Z');
    expect(text('2050-01-01T00:00:00Z')).toBe('18:20500101000000Z');
    expect(text('1949-12-31T23:59:59Z')).toBe('18:19491231235959Z');
  });

  test('IP address bytes, IPv4-mapped and embedded dotted quads included', () => {
    expect(ipBytes('192.0.2.1').toString('hex')).toBe('c0000201');
    expect(ipBytes('::').toString('hex')).toBe('0'.repeat(32));
    expect(ipBytes('2001:db8::').toString('hex')).toBe('20010db8' + '0'.repeat(24));
    expect(ipBytes('::ffff:192.0.2.1').toString('hex')).toBe('00000000000000000000ffffc0000201');
    expect(ipBytes('64:ff9b::192.0.2.33').toString('hex')).toBe('0064ff9b0000000000000000c0000221');
    expect(ipBytes('1:2:3:4:5:6:7:8').toString('hex')).toBe('00010002000300040005000600070008');
    expect(() => ipBytes('example.com')).toThrow(RangeError);
  });
});

describe('InternalCa issues certificates written as DER that parse and verify', () => {
  const NOW = new Date();

  describe.each<[CaKeyType]>([['ecdsa-p256'], ['rsa-2048']])('with a %s intermediate', (keyType) => {
    const ca = new InternalCa(caOptions(tempDir(`leaf-der-issue-${keyType}`), NOW, { keyType, clientAuth: true }));
    beforeAll(() => ca.init());

    test.each<[string, 'P-256' | 'P-384' | 'RSA-2048']>([
      ['an EC P-256 key from a CSR', 'P-256'],
      ['an EC P-384 key from a CSR', 'P-384'],
      ['an RSA-2048 key from a CSR', 'RSA-2048'],
    ])('%s: SAN, SKI/AKI, key usage, EKU, validity and serial as issued; Node verifies it', async (_what, kind) => {
      const keys = await keyPair(kind);
      const names = ['example.com', 'www.example.com'];
      const csr = await parseAndCheckCsr(await csrDer(names, { keys, subject: 'CN=www.example.com' }), names);
      const issued = await ca.issue({ csr });
      const { intermediate } = ca.issuerCertificates();

      const cert = new x509.X509Certificate(Uint8Array.from(issued.der));
      expect(await cert.verify({ publicKey: intermediate.publicKey, signatureOnly: true })).toBe(true);
      expect(cert.subject).toBe('CN=www.example.com');
      expect(cert.issuer).toBe(intermediate.subject);
      expect(cert.serialNumber).toBe(issued.serial);
      expect(cert.notBefore).toEqual(issued.notBefore);
      expect(cert.notAfter).toEqual(issued.notAfter);
      expect(issued.notBefore.getTime()).toBe(Math.floor((NOW.getTime() - 60_000) / 1000) * 1000);
      expect(issued.notAfter.getTime()).toBe(issued.notBefore.getTime() + 90 * DAY_MS);
      const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
      expect(san.critical).toBe(false);
      expect(san.names.items.map((n) => [n.type, n.value])).toEqual(names.map((n) => ['dns', n]));
      expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId).toBe(subjectKeyIdentifier(csr));
      expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(intermediate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
      const usage = cert.getExtension(x509.KeyUsagesExtension)!;
      expect(usage.critical).toBe(true);
      expect(usage.usages).toBe(x509.KeyUsageFlags.digitalSignature | (kind === 'RSA-2048' ? x509.KeyUsageFlags.keyEncipherment : 0));
      expect(cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([EKU_SERVER_AUTH, EKU_CLIENT_AUTH]);
      const constraints = cert.getExtension(x509.BasicConstraintsExtension)!;
      expect([constraints.critical, constraints.ca]).toEqual([true, false]);
      expect(cert.getExtension(x509.CRLDistributionPointsExtension)!.distributionPoints[0].distributionPoint!.fullName![0].uniformResourceIdentifier).toBe('http://ca.example.test/crl');
      expect(cert.getExtension(x509.AuthorityInfoAccessExtension)!.caIssuers.map((n) => n.value)).toEqual(['http://ca.example.test/issuer.cer']);

      const node = new NodeX509(issued.der);
      const nodeIntermediate = new NodeX509(Buffer.from(intermediate.rawData));
      expect(node.checkIssued(nodeIntermediate)).toBe(true);
      expect(node.verify(nodeIntermediate.publicKey)).toBe(true);
      expect(node.serialNumber.toLowerCase()).toBe(issued.serial);
      expect(node.subjectAltName).toBe('DNS:example.com, DNS:www.example.com');
      expect(node.checkHost('www.example.com')).toBe('www.example.com');
      expect(new Date(node.validTo).getTime()).toBe(issued.notAfter.getTime());
      expect(issued.certificatePem).toBe(node.toString());
    });

    test('an empty subject with IP identifiers and must-staple, from a public key', async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
      const issued = await ca.issue({ publicKeyDer: spki, names: ['192.0.2.7', '2001:db8::7'], mustStaple: true, profile: { validityMs: 7 * DAY_MS, clientAuth: false, commonName: false } });
      const { intermediate } = ca.issuerCertificates();
      const cert = new x509.X509Certificate(Uint8Array.from(issued.der));
      expect(await cert.verify({ publicKey: intermediate.publicKey, signatureOnly: true })).toBe(true);
      expect(cert.subject).toBe('');
      const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
      expect(san.critical).toBe(true);
      expect(san.names.items.map((n) => [n.type, n.value])).toEqual([
        ['ip', '192.0.2.7'],
        ['ip', '2001:db8::7'],
      ]);
      expect(cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([EKU_SERVER_AUTH]);
      expect(cert.getExtension('1.3.6.1.5.5.7.1.24')!.value).toEqual(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]).buffer);
      const node = new NodeX509(issued.der);
      const nodeIntermediate = new NodeX509(Buffer.from(intermediate.rawData));
      expect(node.checkIssued(nodeIntermediate)).toBe(true);
      expect(node.verify(nodeIntermediate.publicKey)).toBe(true);
      expect(node.subjectAltName).toBe('IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:7');
      expect(node.checkIP('2001:db8::7')).toBe('2001:db8::7');
      expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(7 * DAY_MS);
    });
  });
});

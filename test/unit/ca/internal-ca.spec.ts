import { createHash, X509Certificate as NodeX509 } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { x509 } from '../../../src/ca/crypto';
import { parseAndCheckCsr } from '../../../src/ca/csr';
import { InternalCa } from '../../../src/ca/internal/internal-ca';
import { signingTest } from '../../../src/ca/signing-test';
import { AcmeError } from '../../../src/domain/errors';
import { caOptions, DAY_MS, removeTempDirs, tempDir } from './support/ca-options';
import { csrDer, keyPair, type KeyKind } from './support/keys-and-csrs';
import { certificateText, openssl, verifyChain, writeTemp } from './support/openssl';

afterAll(removeTempDirs);

const NOW = new Date();
const NAMES = ['example.com', 'www.example.com'];

async function checked(names: string[], o: Parameters<typeof csrDer>[1] = {}) {
  return parseAndCheckCsr(await csrDer(names, o), names);
}

describe('InternalCa: generated on first start', () => {
  const dataDir = tempDir('ca');
  const ca = new InternalCa(caOptions(dataDir, NOW));
  beforeAll(() => ca.init());

  test('writes root and intermediate with PKCS#8 keys of mode 0400 into a 0700 folder, and nothing else', () => {
    expect(ca.generated).toBe(true);
    const dir = join(dataDir, 'ca');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(['intermediate.key', 'intermediate.pem', 'root.key', 'root.pem']);
    for (const key of ['root.key', 'intermediate.key']) {
      expect(statSync(join(dir, key)).mode & 0o777).toBe(0o400);
      expect(readFileSync(join(dir, key), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    }
    expect(readdirSync(dataDir)).toEqual(['ca']); // no staging folder left behind
  });

  test('the root is a 10-year self-signed CA and the intermediate a 5-year CA with path length 0 under it', () => {
    const root = certificateText(ca.rootPem());
    expect(root).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
    expect(root).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    const inter = certificateText(ca.intermediatePem());
    expect(inter).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(inter).toMatch(/Certificate Sign, CRL Sign/);
    const years = (pem: string) => {
      const c = new x509.X509Certificate(pem);
      return Math.round((c.notAfter.getTime() - c.notBefore.getTime()) / (365 * DAY_MS));
    };
    expect(years(ca.rootPem())).toBe(10);
    expect(years(ca.intermediatePem())).toBe(5);
    expect(openssl(['verify', '-CAfile', writeTemp({ 'root.pem': ca.rootPem() })['root.pem'], writeTemp({ 'i.pem': ca.intermediatePem() })['i.pem']]).out).toMatch(/: OK/);
  });

  test('the next start loads the same CA and never regenerates it; init is idempotent', async () => {
    await ca.init();
    const again = await InternalCa.open(caOptions(dataDir, NOW));
    expect(again.generated).toBe(false);
    expect(again.rootPem()).toBe(ca.rootPem());
    expect(again.intermediatePem()).toBe(ca.intermediatePem());
    const issued = await again.issue({ csr: await checked(['restart.example.com']) });
    expect(verifyChain(ca.rootPem(), ca.intermediatePem(), issued.certificatePem)).toMatch(/leaf.pem: OK/);
  });

  test('the issuer view: chainPem is the intermediate, issuerCertificates the parsed pair, issuerName its subject', () => {
    expect(ca.chainPem()).toBe(ca.intermediatePem());
    const { intermediate, root } = ca.issuerCertificates();
    expect(intermediate.toString('pem') + '\n').toBe(ca.intermediatePem());
    expect(root.toString('pem') + '\n').toBe(ca.rootPem());
    expect(ca.issuerName()).toBe('CN=certledger Intermediate CA, O=certledger');
    expect(new Date(ca.health().not_after).getTime()).toBe(intermediate.notAfter.getTime());
  });

  test.each([
    ['P-256', /Digital Signature\n/],
    ['P-384', /Digital Signature\n/],
    ['RSA-2048', /Digital Signature, Key Encipherment\n/],
  ] as const)('a %s leaf verifies with openssl and carries the leaf profile', async (kind, keyUsage) => {
    const csr = await checked(NAMES, { kind: kind as KeyKind });
    const issued = await ca.issue({ csr });
    expect(verifyChain(ca.rootPem(), ca.intermediatePem(), issued.certificatePem)).toMatch(/leaf.pem: OK/);
    const text = certificateText(issued.certificatePem);
    expect(text).toMatch(/Subject: CN ?= ?example.com\n/);
    expect(text).toMatch(/Subject Alternative Name: \n\s+DNS:example.com, DNS:www.example.com\n/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE\n/);
    expect(text).toMatch(new RegExp(`Key Usage: critical\\s+${keyUsage.source}`));
    expect(text).toMatch(/Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/X509v3 CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/ca.example.test\/crl/);
    expect(text).toContain('CA Issuers - URI:http://ca.example.test/issuer.cer');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256'); // the P-256 intermediate's
    const leaf = new x509.X509Certificate(issued.certificatePem);
    const { intermediate } = ca.issuerCertificates();
    const ski = leaf.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    expect(ski).toBe((await x509.SubjectKeyIdentifierExtension.create(new x509.PublicKey(Uint8Array.from(csr.publicKeyDer)))).keyId);
    expect(leaf.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(intermediate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
    // The issuer name is byte-for-byte the intermediate's subject, as strict chain builders compare it.
    expect(new NodeX509(issued.der).issuer).toBe(new NodeX509(Buffer.from(intermediate.rawData)).subject);
    expect(Buffer.from(leaf.publicKey.rawData)).toEqual(csr.publicKeyDer);
  });

  test('the returned forms agree: chain = leaf + intermediate, DER, fingerprint, serial, validity', async () => {
    const issued = await ca.issue({ csr: await checked(NAMES) });
    expect(issued.chainPem).toBe(issued.certificatePem + ca.intermediatePem());
    expect(issued.chainPem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(new x509.X509Certificate(issued.certificatePem).rawData).toEqual(new Uint8Array(issued.der).buffer);
    expect(issued.fingerprintSha256).toBe(createHash('sha256').update(issued.der).digest('hex'));
    const p = writeTemp({ 'leaf.pem': issued.certificatePem });
    expect(openssl(['x509', '-in', p['leaf.pem'], '-noout', '-serial']).out.trim()).toBe(`serial=${issued.serial.toUpperCase()}`);
    expect(issued.issuer).toBe(ca.issuerName());
    expect(issued.notBefore.getTime()).toBe(Math.floor((NOW.getTime() - 60_000) / 1000) * 1000);
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(90 * DAY_MS);
  });

  test('serials are 128-bit, positive, non-zero and random', async () => {
    const csr = await checked(NAMES);
    const serials = await Promise.all([1, 2, 3, 4].map(async () => (await ca.issue({ csr })).serial));
    expect(new Set(serials).size).toBe(4);
    for (const s of serials) {
      expect(s).toMatch(/^[0-7][0-9a-f]{31}$/);
      expect(s.slice(0, 2)).not.toBe('00');
      expect(BigInt(`0x${s}`) > 0n).toBe(true);
    }
  });

  test("the CSR's common name becomes the subject; names too long for a CN leave it empty with a critical SAN", async () => {
    const withCn = await ca.issue({ csr: await checked(NAMES, { subject: 'CN=www.example.com' }) });
    expect(certificateText(withCn.certificatePem)).toMatch(/Subject: CN ?= ?www.example.com\n/);
    const long = `${'a'.repeat(60)}.${'b'.repeat(20)}.example`;
    const noCn = await ca.issue({ csr: await checked([long]) });
    const text = certificateText(noCn.certificatePem);
    expect(text).toMatch(/Subject: \n/);
    expect(text).toMatch(/Subject Alternative Name: critical\n/);
    expect(verifyChain(ca.rootPem(), ca.intermediatePem(), noCn.certificatePem)).toMatch(/OK/);
  });

  test('issues for a bare public key, applying the same key policy', async () => {
    const keys = await keyPair('P-384');
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
    const issued = await ca.issue({ publicKeyDer: spki, names: ['B.example.com', 'a.example.com'], keyType: 'ec', mustStaple: true });
    const text = certificateText(issued.certificatePem);
    expect(text).toMatch(/DNS:a.example.com, DNS:b.example.com/);
    expect(text).toMatch(/TLS Feature/);
    expect(verifyChain(ca.rootPem(), ca.intermediatePem(), issued.certificatePem)).toMatch(/OK/);
    await expect(ca.issue({ publicKeyDer: spki, names: ['a.example.com'], keyType: 'rsa' })).rejects.toThrow(/keyType rsa does not match the ec public key/);
    const weak = new Uint8Array(await crypto.subtle.exportKey('spki', (await keyPair('P-521')).publicKey));
    await expect(ca.issue({ publicKeyDer: weak, names: ['a.example.com'] })).rejects.toMatchObject({ type: 'badPublicKey' });
  });

  test('names given alongside a CSR must be its names', async () => {
    const csr = await checked(NAMES);
    await expect(ca.issue({ csr, names: ['WWW.example.com', 'example.com'] })).resolves.toBeDefined();
    await expect(ca.issue({ csr, names: ['example.com'] })).rejects.toThrow(/differ from the CSR's names/);
  });

  test('the signing test issues for an ephemeral key and verifies the chain link by link', async () => {
    const result = await signingTest(ca);
    expect(result.ok).toBe(true);
    expect(result.checks.length).toBeGreaterThanOrEqual(4);
    expect(result.chain).toHaveLength(3);
    expect(verifyChain(ca.rootPem(), ca.intermediatePem(), result.issued.certificatePem)).toMatch(/OK/);
  });

  test('a CRL it signs verifies with openssl and lists the revoked serials with their reasons', async () => {
    const serial = (await ca.issue({ csr: await checked(NAMES) })).serial;
    const der = await ca.signCrl({ crlNumber: 7n, thisUpdate: NOW, nextUpdate: new Date(NOW.getTime() + DAY_MS), entries: [{ serial, revokedAt: NOW, reason: 1 }] });
    const p = writeTemp({ 'crl.der': der, 'chain.pem': ca.intermediatePem() + ca.rootPem() });
    const r = openssl(['crl', '-inform', 'DER', '-in', p['crl.der'], '-CAfile', p['chain.pem'], '-noout', '-text']);
    expect(r.out).toMatch(/verify OK/);
    expect(r.out).toMatch(/X509v3 CRL Number: \n\s+7\n/);
    expect(r.out).toContain(`Serial Number: ${serial.toUpperCase()}`);
    expect(r.out).toMatch(/Key Compromise/);
  });
});

describe('InternalCa: validity window', () => {
  const dataDir = tempDir('ca-validity');
  const at = (ms: number) => new Date(NOW.getTime() + ms);
  let ca: InternalCa;
  beforeAll(async () => {
    ca = await InternalCa.open(caOptions(dataDir, NOW, { validityMs: 90 * DAY_MS, maxValidityMs: 100 * DAY_MS }));
  });
  const secs = (d: Date) => Math.floor(d.getTime() / 1000);

  test('a requested notAfter shortens the validity', async () => {
    const issued = await ca.issue({ csr: await checked(NAMES), notAfter: at(10 * DAY_MS) });
    expect(secs(issued.notAfter)).toBe(secs(at(10 * DAY_MS)));
  });

  test('a requested notAfter never lengthens it beyond the default validity', async () => {
    const issued = await ca.issue({ csr: await checked(NAMES), notAfter: at(95 * DAY_MS) });
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(90 * DAY_MS);
  });

  test('the maximum validity caps a longer default', async () => {
    const longDefault = await InternalCa.open(caOptions(dataDir, NOW, { validityMs: 200 * DAY_MS, maxValidityMs: 100 * DAY_MS }));
    const issued = await longDefault.issue({ csr: await checked(NAMES) });
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(100 * DAY_MS);
  });

  test('a future notBefore is honoured; a past one is not backdated beyond one minute', async () => {
    const future = await ca.issue({ csr: await checked(NAMES), notBefore: at(DAY_MS) });
    expect(secs(future.notBefore)).toBe(secs(at(DAY_MS)));
    const past = await ca.issue({ csr: await checked(NAMES), notBefore: at(-30 * DAY_MS) });
    expect(secs(past.notBefore)).toBe(secs(at(-60_000)));
  });

  test('a requested notAfter in the past is refused as malformed', async () => {
    const e = await ca.issue({ csr: await checked(NAMES), notAfter: at(-DAY_MS) }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AcmeError);
    expect((e as AcmeError).type).toBe('malformed');
  });

  test('the clientAuth option adds the client EKU; without URLs there is no CRL or AIA extension', async () => {
    const bare = await InternalCa.open(caOptions(dataDir, NOW, { clientAuth: true, crlUrl: null, issuerUrl: null }));
    const text = certificateText((await bare.issue({ csr: await checked(NAMES) })).certificatePem);
    expect(text).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(text).not.toMatch(/CRL Distribution Points|Authority Information Access/);
  });

  test('methods other than init refuse to run before init', () => {
    const fresh = new InternalCa(caOptions(tempDir('ca-uninit'), NOW));
    expect(() => fresh.rootPem()).toThrow(/not initialised/);
  });
});

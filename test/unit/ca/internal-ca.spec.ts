import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { x509 } from '../../../src/ca/crypto';
import { parseAndCheckCsr } from '../../../src/ca/csr';
import { InternalCa, type InternalCaOptions } from '../../../src/ca/internal/internal-ca';
import { AcmeError } from '../../../src/domain/errors';
import { makeCsr, testKeys } from '../../support/csr';

const DAY = 86_400_000;
function options(dataDir: string, extra: Partial<InternalCaOptions> = {}): InternalCaOptions {
  return {
    dataDir,
    keyType: 'ecdsa-p256',
    rootCertFile: null,
    intermediateCertFile: null,
    intermediateKeyFile: null,
    now: () => new Date(),
    validityMs: 90 * DAY,
    maxValidityMs: 397 * DAY,
    clientAuth: false,
    crlUrl: 'http://ca.example/crl',
    issuerUrl: 'http://ca.example/issuer.cer',
    ...extra,
  };
}

async function refusal(p: Promise<unknown>): Promise<AcmeError> {
  const e = await p.then(() => null, (err) => err);
  expect(e).toBeInstanceOf(AcmeError);
  return e as AcmeError;
}

describe('internal CA', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'certledger-ca-'));
  let ca: InternalCa;
  beforeAll(async () => {
    ca = await InternalCa.open(options(dataDir));
  });

  test('generates root and intermediate on first start with private keys mode 0400, and reloads them after', async () => {
    expect(ca.generated).toBe(true);
    expect(statSync(join(dataDir, 'ca', 'intermediate.key')).mode & 0o777).toBe(0o400);
    expect(statSync(join(dataDir, 'ca', 'root.key')).mode & 0o777).toBe(0o400);
    expect(statSync(join(dataDir, 'ca')).mode & 0o777).toBe(0o700);
    const again = await InternalCa.open(options(dataDir));
    expect(again.generated).toBe(false);
    expect(again.intermediatePem()).toBe(ca.intermediatePem());
  });

  test.each(['P-256', 'P-384', 'RSA-2048'] as const)('issues a %s certificate that openssl verifies, with the leaf profile', async (keyType) => {
    const csr = await parseAndCheckCsr(await makeCsr(['www.example.com', 'example.com'], { keyType }), ['example.com', 'www.example.com'], 'account-thumbprint');
    const issued = await ca.issue({ csr, notBefore: null, notAfter: null });
    const dir = mkdtempSync(join(tmpdir(), 'certledger-leaf-'));
    writeFileSync(join(dir, 'root.pem'), ca.rootPem());
    writeFileSync(join(dir, 'inter.pem'), ca.intermediatePem());
    writeFileSync(join(dir, 'chain.pem'), issued.chainPem);
    const leafPem = issued.chainPem.split(/(?<=-----END CERTIFICATE-----)\n/)[0] + '\n';
    writeFileSync(join(dir, 'leaf.pem'), leafPem);
    const verify = execFileSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'inter.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' });
    expect(verify).toContain('leaf.pem: OK');
    const text = execFileSync('openssl', ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/DNS:example.com, DNS:www.example.com/);
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    expect(text).not.toMatch(/TLS Web Client Authentication/);
    expect(text).toMatch(keyType === 'RSA-2048' ? /Digital Signature, Key Encipherment/ : /Key Usage: critical\s+Digital Signature\n/);
    expect(text).toContain('URI:http://ca.example/crl');
    expect(text).toContain('CA Issuers - URI:http://ca.example/issuer.cer');
    expect(text).toMatch(/Subject Key Identifier/);
    expect(text).toMatch(/Authority Key Identifier/);
    expect(issued.serial).toMatch(/^[0-7][0-9a-f]{31}$/);
    const days = (issued.notAfter.getTime() - issued.notBefore.getTime()) / DAY;
    expect(Math.round(days)).toBe(90);
  });

  test('serials are random and a requested notAfter caps the validity', async () => {
    const csr = await parseAndCheckCsr(await makeCsr(['a.example.com']), ['a.example.com'], 't');
    const notAfter = new Date(Date.now() + 10 * DAY);
    const a = await ca.issue({ csr, notBefore: null, notAfter });
    const b = await ca.issue({ csr, notBefore: null, notAfter: null });
    expect(a.serial).not.toBe(b.serial);
    expect(Math.abs(a.notAfter.getTime() - notAfter.getTime())).toBeLessThan(1000);
  });

  test('a CA with a missing file is refused, never regenerated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certledger-ca-'));
    await InternalCa.open(options(dir));
    execFileSync('rm', ['-f', join(dir, 'ca', 'intermediate.key')]);
    await expect(InternalCa.open(options(dir))).rejects.toThrow(/incomplete: .*intermediate.key missing/);
  });

  test('loads an encrypted intermediate key with its passphrase; a wrong one is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certledger-ca-enc-'));
    const plain = join(dataDir, 'ca', 'intermediate.key');
    const enc = join(dir, 'inter.enc.key');
    execFileSync('openssl', ['pkcs8', '-topk8', '-in', plain, '-out', enc, '-passout', 'pass:s3cret', '-v2', 'aes-256-cbc']);
    const files = { rootCertFile: join(dataDir, 'ca', 'root.pem'), intermediateCertFile: join(dataDir, 'ca', 'intermediate.pem'), intermediateKeyFile: enc };
    const loaded = await InternalCa.open(options(dir, { ...files, keyPassphrase: 's3cret' }));
    expect(loaded.intermediatePem()).toBe(ca.intermediatePem());
    await expect(InternalCa.open(options(dir, { ...files, keyPassphrase: 'wrong' }))).rejects.toThrow(/inter\.enc\.key: cannot read the private key/);
  });
});

describe('CSR checks', () => {
  test('names must equal the order identifiers, naming what is missing and extra', async () => {
    const e = await refusal(parseAndCheckCsr(await makeCsr(['a.example.com', 'c.example.com']), ['a.example.com', 'b.example.com'], 't'));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toContain('missing b.example.com');
    expect(e.detail).toContain('not in the order: c.example.com');
  });

  test('a CN must be one of the SANs; a CN alone counts as a name', async () => {
    const e = await refusal(parseAndCheckCsr(await makeCsr(['a.example.com'], { cn: 'z.example.com' }), ['a.example.com'], 't'));
    expect(e.detail).toContain('common name z.example.com is not one of its subject alternative names');
    const ok = await parseAndCheckCsr(await makeCsr(['a.example.com'], { cn: 'a.example.com' }), ['a.example.com'], 't');
    expect(ok.names).toEqual(['a.example.com']);
  });

  test('a tampered signature is refused', async () => {
    const der = await makeCsr(['a.example.com']);
    der[der.length - 5] ^= 0xff;
    const e = await refusal(parseAndCheckCsr(der, ['a.example.com'], 't'));
    expect(e.type).toBe('badCSR');
    expect(e.detail).toMatch(/signature is invalid|could not be parsed/);
  });

  test('garbage is refused as unparseable', async () => {
    expect((await refusal(parseAndCheckCsr(Buffer.from('not a csr'), ['a.example.com'], 't'))).detail).toMatch(/could not be parsed/);
  });

  test.each([
    ['P-521', /ECDSA curve secp521r1 is not accepted/],
    ['RSA-1024', /RSA key of 1024 bits is not accepted/],
  ] as const)('a %s key is badPublicKey', async (keyType, detail) => {
    const e = await refusal(parseAndCheckCsr(await makeCsr(['a.example.com'], { keyType }), ['a.example.com'], 't'));
    expect(e.type).toBe('badPublicKey');
    expect(e.detail).toMatch(detail);
  });

  test('the account key cannot be the certificate key', async () => {
    const keys = await testKeys('P-256');
    const thumbprint = await calculateJwkThumbprint(await exportJWK(keys.publicKey), 'sha256');
    const e = await refusal(parseAndCheckCsr(await makeCsr(['a.example.com'], { keys }), ['a.example.com'], thumbprint));
    expect(e.detail).toBe('the certificate public key must be different from the account key');
  });

  test('extensions a client may not ask for, CA:true and IP SANs are refused', async () => {
    const policies = new x509.CertificatePolicyExtension(['1.2.3.4']);
    expect((await refusal(parseAndCheckCsr(await makeCsr(['a.example.com'], { extensions: [policies] }), ['a.example.com'], 't'))).detail).toContain('2.5.29.32');
    const ca = new x509.BasicConstraintsExtension(true);
    expect((await refusal(parseAndCheckCsr(await makeCsr(['a.example.com'], { extensions: [ca] }), ['a.example.com'], 't'))).detail).toContain('CA:true');
    const keys = await testKeys('P-256');
    const ipCsr = await x509.Pkcs10CertificateRequestGenerator.create({
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '192.0.2.1' }])],
    });
    expect((await refusal(parseAndCheckCsr(Buffer.from(ipCsr.rawData), ['a.example.com'], 't'))).detail).toContain('ip subject alternative name');
  });
});

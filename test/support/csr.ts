import { subtle, x509 } from '../../src/ca/crypto';
import type { CsrExtension } from '../../src/ca/csr-der';

export type TestKeyType = 'P-256' | 'P-384' | 'P-521' | 'RSA-2048' | 'RSA-1024';

export async function testKeys(type: TestKeyType): Promise<CryptoKeyPair> {
  const alg = type.startsWith('RSA')
    ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: Number(type.slice(4)), publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: type };
  return (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A CSR as an ACME client builds it: names in the SAN, optionally a CN and extra extensions. */
export async function makeCsr(names: string[], opts: { keys?: CryptoKeyPair; keyType?: TestKeyType; cn?: string; extensions?: Array<x509.Extension | CsrExtension> } = {}): Promise<Buffer> {
  const keys = opts.keys ?? (await testKeys(opts.keyType ?? 'P-256'));
  const alg = (keys.privateKey.algorithm as { name: string }).name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: opts.cn ? `CN=${opts.cn}` : undefined,
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))), ...(opts.extensions ?? []).map((e) => (e instanceof x509.Extension ? e : new x509.Extension(e.oid, e.critical, Uint8Array.from(e.value))))],
  });
  return Buffer.from(csr.rawData);
}

import { subtle, x509 } from '../../../../src/ca/crypto';
import type { CsrExtension } from '../../../../src/ca/csr-der';

/** Keys and CSRs as ACME clients build them, plus the malformed ones the checks must refuse. */
export type KeyKind = 'P-256' | 'P-384' | 'P-521' | 'Ed25519' | 'RSA-2048' | 'RSA-1024' | 'RSA-2052' | 'RSA-2048-e3';

const RSA_F4 = new Uint8Array([1, 0, 1]);

export async function keyPair(kind: KeyKind): Promise<CryptoKeyPair> {
  let alg: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm;
  if (kind === 'Ed25519') alg = { name: 'Ed25519' };
  else if (kind.startsWith('P-')) alg = { name: 'ECDSA', namedCurve: kind };
  else {
    const [, bits, e] = /^RSA-(\d+)(-e3)?$/.exec(kind)!;
    alg = { name: 'RSASSA-PKCS1-v1_5', modulusLength: Number(bits), publicExponent: e ? new Uint8Array([3]) : RSA_F4, hash: 'SHA-256' };
  }
  return (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function defaultSigningAlgorithm(keys: CryptoKeyPair): Algorithm | EcdsaParams {
  const alg = keys.privateKey.algorithm as EcKeyAlgorithm;
  if (alg.name === 'ECDSA') return { name: 'ECDSA', hash: alg.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256' } as EcdsaParams;
  if (alg.name === 'Ed25519') return { name: 'Ed25519' };
  return { name: 'RSASSA-PKCS1-v1_5' };
}

export interface CsrOptions {
  keys?: CryptoKeyPair;
  kind?: KeyKind;
  /** Subject, e.g. "CN=a.example.com"; none by default. */
  subject?: string;
  /** Replaces the SAN built from the names. */
  san?: x509.JsonGeneralName[];
  /** x509 extensions, or plain ones as the CA writes them (the must-staple TLS Feature). */
  extensions?: Array<x509.Extension | CsrExtension>;
  signingAlgorithm?: Algorithm | EcdsaParams | RsaPssParams;
}

/** A plain extension as @peculiar/x509 takes it. */
export const asX509Extension = (e: x509.Extension | CsrExtension): x509.Extension => (e instanceof x509.Extension ? e : new x509.Extension(e.oid, e.critical, Uint8Array.from(e.value)));

export async function csrDer(names: string[], o: CsrOptions = {}): Promise<Buffer> {
  const keys = o.keys ?? (await keyPair(o.kind ?? 'P-256'));
  const san = o.san ?? names.map((value) => ({ type: 'dns' as const, value }));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: o.subject,
    keys,
    signingAlgorithm: o.signingAlgorithm ?? defaultSigningAlgorithm(keys),
    extensions: [...(san.length ? [new x509.SubjectAlternativeNameExtension(san)] : []), ...(o.extensions ?? []).map(asX509Extension)],
  });
  return Buffer.from(csr.rawData);
}

/** Flips one byte inside the signature BIT STRING at the end of the DER. */
export function tamperSignature(der: Buffer): Buffer {
  const copy = Buffer.from(der);
  copy[copy.length - 10] ^= 0x01;
  return copy;
}

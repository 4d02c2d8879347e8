import { createHash, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { AcmeError } from '../domain/errors';
import { x509 } from './crypto';

/**
 * The finalize CSR (RFC 8555 §7.4): parsed with @peculiar/x509, signature verified, names equal to
 * the order's identifiers, a key within policy that is not the account key, and only extensions a
 * client may ask for. Every refusal says precisely what is wrong.
 */
export interface CheckedCsr {
  names: string[];
  commonName: string | null;
  keyType: string;
  publicKeySpki: Buffer;
  csr: x509.Pkcs10CertificateRequest;
  /** Extensions to copy into the certificate (the TLS feature, "must staple"). */
  copyExtensions: x509.Extension[];
}

const OID_SAN = '2.5.29.17';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_TLS_FEATURE = '1.3.6.1.5.5.7.1.24';
const ALLOWED_EXTENSIONS = new Set([OID_SAN, OID_KEY_USAGE, OID_EXT_KEY_USAGE, OID_BASIC_CONSTRAINTS, OID_TLS_FEATURE]);
const ALLOWED_HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

export function describeKey(spki: Buffer): { keyType: string; jwk: JWK } {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const d = key.asymmetricKeyDetails ?? {};
  const jwk = key.export({ format: 'jwk' }) as JWK;
  if (key.asymmetricKeyType === 'rsa') {
    const bits = d.modulusLength ?? 0;
    if (bits < 2048 || bits > 8192 || bits % 8 !== 0) throw new AcmeError('badPublicKey', `RSA key of ${bits} bits is not accepted (2048 to 8192 bits)`);
    return { keyType: `rsa-${bits}`, jwk };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = { prime256v1: 'p256', secp384r1: 'p384' }[d.namedCurve ?? ''];
    if (!curve) throw new AcmeError('badPublicKey', `ECDSA curve ${d.namedCurve} is not accepted (P-256 or P-384)`);
    return { keyType: `ecdsa-${curve}`, jwk };
  }
  throw new AcmeError('badPublicKey', `${key.asymmetricKeyType} keys are not accepted (RSA 2048-8192, ECDSA P-256/P-384)`);
}

export async function parseAndCheckCsr(der: Buffer, expectedNames: string[], accountThumbprint: string): Promise<CheckedCsr> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(der));
  } catch (e) {
    throw new AcmeError('badCSR', `CSR could not be parsed: ${(e as Error).message}`);
  }
  const hash = (csr.signatureAlgorithm as unknown as { hash?: { name?: string } }).hash?.name;
  if (!hash || !ALLOWED_HASHES.has(hash)) {
    throw new AcmeError('badCSR', `CSR signature algorithm ${csr.signatureAlgorithm.name}/${hash ?? 'unknown'} is not accepted (SHA-256/384/512 with RSA or ECDSA)`);
  }
  const spki = Buffer.from(csr.publicKey.rawData);
  const { keyType, jwk } = describeKey(spki);
  let signatureOk = false;
  try {
    signatureOk = await csr.verify();
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) throw new AcmeError('badCSR', 'CSR signature is invalid');
  if ((await calculateJwkThumbprint(jwk, 'sha256')) === accountThumbprint) {
    throw new AcmeError('badCSR', 'the certificate public key must be different from the account key');
  }

  const copyExtensions: x509.Extension[] = [];
  let sanNames: string[] = [];
  for (const ext of csr.extensions) {
    if (!ALLOWED_EXTENSIONS.has(ext.type)) throw new AcmeError('badCSR', `CSR requests extension ${ext.type}, which this CA does not issue`);
    if (ext.type === OID_BASIC_CONSTRAINTS && new x509.BasicConstraintsExtension(ext.rawData).ca) {
      throw new AcmeError('badCSR', 'CSR requests a CA certificate (basicConstraints CA:true)');
    }
    if (ext.type === OID_TLS_FEATURE) copyExtensions.push(ext);
    if (ext.type === OID_SAN) {
      const san = new x509.SubjectAlternativeNameExtension(ext.rawData);
      for (const n of san.names.items) {
        if (n.type !== 'dns') throw new AcmeError('badCSR', `CSR has a ${n.type} subject alternative name (${n.value}); only DNS names are issued`);
        sanNames.push(n.value.toLowerCase());
      }
    }
  }
  sanNames = [...new Set(sanNames)];
  const cns = csr.subjectName.getField('CN');
  if (cns.length > 1) throw new AcmeError('badCSR', 'CSR has more than one common name');
  const commonName = cns[0]?.toLowerCase() ?? null;
  if (commonName && !sanNames.includes(commonName)) {
    if (sanNames.length > 0) throw new AcmeError('badCSR', `CSR common name ${commonName} is not one of its subject alternative names`);
    sanNames.push(commonName);
  }
  const expected = new Set(expectedNames.map((n) => n.toLowerCase()));
  const missing = [...expected].filter((n) => !sanNames.includes(n));
  const extra = sanNames.filter((n) => !expected.has(n));
  if (missing.length || extra.length) {
    const parts = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `not in the order: ${extra.join(', ')}` : ''].filter(Boolean);
    throw new AcmeError('badCSR', `CSR names must equal the order's identifiers (${parts.join('; ')})`);
  }
  return { names: [...expected].sort(), commonName, keyType, publicKeySpki: spki, csr, copyExtensions };
}

export const sha256Hex = (data: Buffer | ArrayBuffer) => createHash('sha256').update(Buffer.from(data as ArrayBuffer)).digest('hex');

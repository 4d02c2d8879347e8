import { constants, verify } from 'node:crypto';
import { AcmeError } from '../domain/errors';
import { NODE_HASH } from './crypto';
import type { CsrSignatureAlgorithm } from './csr-der';
import type { CertificateKey, CertificateKeyType } from './key-policy';

/** CSR signatures accepted: SHA-256/384/512 with RSA (PKCS#1 v1.5 or PSS) or with ECDSA. */
const ALGORITHMS_BY_KEY: Record<CertificateKeyType, ReadonlySet<string>> = {
  rsa: new Set(['RSASSA-PKCS1-v1_5', 'RSA-PSS']),
  ec: new Set(['ECDSA']),
};
const HASHES: ReadonlySet<string> = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

export function checkSignatureAlgorithm(alg: CsrSignatureAlgorithm, keyType: CertificateKeyType): void {
  const { name, hash } = alg;
  if (!ALGORITHMS_BY_KEY[keyType].has(name) || !hash || !HASHES.has(hash)) {
    const shown = hash ? `${name} with ${hash}` : name;
    throw new AcmeError('badCSR', `CSR signature algorithm ${shown} is not accepted for an ${keyType.toUpperCase()} key: use SHA-256, SHA-384 or SHA-512 with RSA (PKCS#1 v1.5 or PSS) or ECDSA`);
  }
}

/**
 * The CSR's signature over its certificationRequestInfo, checked with the key already imported by
 * the key policy (ECDSA signatures are DER as in the CSR; RSA-PSS uses the CSR's salt length).
 * Call after checkSignatureAlgorithm.
 */
export function signatureVerifies(alg: CsrSignatureAlgorithm, signed: Uint8Array, signature: Uint8Array, key: CertificateKey): boolean {
  const hash = NODE_HASH[alg.hash ?? ''];
  try {
    if (alg.name === 'RSA-PSS') {
      return verify(hash, signed, { key: key.keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength ?? 20 }, signature);
    }
    return verify(hash, signed, alg.name === 'ECDSA' ? { key: key.keyObject, dsaEncoding: 'der' } : key.keyObject, signature);
  } catch {
    return false;
  }
}

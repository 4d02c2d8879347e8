import { AcmeError } from '../domain/errors';
import type { x509 } from './crypto';
import type { CertificateKeyType } from './key-policy';

/** CSR signatures accepted: SHA-256/384/512 with RSA (PKCS#1 v1.5 or PSS) or with ECDSA. */
const ALGORITHMS_BY_KEY: Record<CertificateKeyType, ReadonlySet<string>> = {
  rsa: new Set(['RSASSA-PKCS1-v1_5', 'RSA-PSS']),
  ec: new Set(['ECDSA']),
};
const HASHES: ReadonlySet<string> = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

function describe(csr: x509.Pkcs10CertificateRequest): { name: string; hash: string | null } {
  try {
    const alg = csr.signatureAlgorithm as { name?: string; hash?: { name?: string } | string };
    const hash = typeof alg.hash === 'string' ? alg.hash : (alg.hash?.name ?? null);
    return { name: alg.name ?? 'unknown', hash };
  } catch {
    return { name: 'unknown', hash: null };
  }
}

export function checkSignatureAlgorithm(csr: x509.Pkcs10CertificateRequest, keyType: CertificateKeyType): void {
  const { name, hash } = describe(csr);
  if (!ALGORITHMS_BY_KEY[keyType].has(name) || !hash || !HASHES.has(hash)) {
    const shown = hash ? `${name} with ${hash}` : name;
    throw new AcmeError('badCSR', `CSR signature algorithm ${shown} is not accepted for an ${keyType.toUpperCase()} key: use SHA-256, SHA-384 or SHA-512 with RSA (PKCS#1 v1.5 or PSS) or ECDSA`);
  }
}

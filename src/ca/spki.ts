import { createHash } from 'node:crypto';
import { x509 } from './crypto';

/** Hex SHA-256 of a SubjectPublicKeyInfo (DER): how a blocked key is named. */
export const spkiSha256 = (spkiDer: Uint8Array): string => createHash('sha256').update(spkiDer).digest('hex');

/** The same hash for the key of a certificate (DER, or the first certificate of a PEM chain). */
export function certificateSpkiSha256(cert: Uint8Array | string): string {
  const parsed = typeof cert === 'string'
    ? new x509.X509Certificate(cert.split(/(?<=-----END CERTIFICATE-----)/)[0].trim())
    : new x509.X509Certificate(Uint8Array.from(cert));
  return spkiSha256(new Uint8Array(parsed.publicKey.rawData));
}

import { derChild } from '../../ca/der';
import { spkiSha256 } from '../../ca/spki';
import { UnverifiedBody } from './unverified-body';

/**
 * The SHA-256 of the key in a finalize request's CSR, read from the JWS body before its signature
 * is checked, so that whether the key is blocked is read in the request's first statement with
 * the nonce and the account key. Only the key's bytes are located here (the CSR's
 * certificationRequestInfo holds version, subject, then the key); anything that is not a
 * well-formed finalize body gives null, and the handler checks everything as it always does.
 */
export function finalizeKeyHash(body: unknown): string | null {
  const csr = new UnverifiedBody(body).payload()?.csr;
  if (typeof csr !== 'string') return null;
  try {
    return spkiSha256(derChild(derChild(new Uint8Array(Buffer.from(csr, 'base64url')), 0), 2));
  } catch {
    return null;
  }
}

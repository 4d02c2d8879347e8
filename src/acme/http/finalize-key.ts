import { derChild } from '../../ca/der';
import { spkiSha256 } from '../../ca/spki';

/**
 * The SHA-256 of the key in a finalize request's CSR, read from the JWS body before its signature
 * is checked, so that whether the key is blocked is read in the request's first statement with
 * the nonce and the account key. Only the key's bytes are located here (the CSR's
 * certificationRequestInfo holds version, subject, then the key); anything that is not a
 * well-formed finalize body gives null, and the handler checks everything as it always does.
 */
export function finalizeKeyHash(body: unknown): string | null {
  try {
    const jws = (typeof body === 'string' ? JSON.parse(body) : body) as { payload?: unknown } | null;
    if (typeof jws?.payload !== 'string') return null;
    const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as { csr?: unknown } | null;
    if (typeof payload?.csr !== 'string') return null;
    const csr = new Uint8Array(Buffer.from(payload.csr, 'base64url'));
    return spkiSha256(derChild(derChild(csr, 0), 2));
  } catch {
    return null;
  }
}

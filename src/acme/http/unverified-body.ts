/**
 * A JWS body read before its signature is checked, for reads that can then travel in the request's
 * first statement with the nonce and the account key. What comes out of here only chooses what is
 * read; the handlers use a read only for what the verified request holds.
 */
export function unverifiedPayload(body: unknown): Record<string, unknown> | null {
  const jws = unverifiedJws(body);
  return typeof jws?.payload === 'string' ? decodeObject(jws.payload) : null;
}

/** The `kid` of the protected header, or null. */
export function unverifiedKid(body: unknown): string | null {
  const jws = unverifiedJws(body);
  const header = typeof jws?.protected === 'string' ? decodeObject(jws.protected) : null;
  return typeof header?.kid === 'string' ? header.kid : null;
}

function unverifiedJws(body: unknown): Record<string, unknown> | null {
  try {
    const jws = typeof body === 'string' ? JSON.parse(body) : body;
    return jws && typeof jws === 'object' && !Array.isArray(jws) ? (jws as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function decodeObject(b64url: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(b64url, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * A JWS body read before its signature is checked, for reads that can then travel in the request's
 * first statement with the nonce and the account key. What comes out of here only chooses what is
 * read; the handlers use a read only for what the verified request holds. The body is parsed once;
 * the protected header and the payload are decoded only when asked for.
 */
export class UnverifiedBody {
  private readonly jws: Record<string, unknown> | null;

  constructor(body: unknown) {
    this.jws = parseObject(() => (typeof body === 'string' ? JSON.parse(body) : body));
  }

  /** The payload as a JSON object, or null. */
  payload(): Record<string, unknown> | null {
    return typeof this.jws?.payload === 'string' ? decodeObject(this.jws.payload) : null;
  }

  /** The `kid` of the protected header, or null. */
  kid(): string | null {
    const header = typeof this.jws?.protected === 'string' ? decodeObject(this.jws.protected) : null;
    return typeof header?.kid === 'string' ? header.kid : null;
  }
}

const decodeObject = (b64url: string) => parseObject(() => JSON.parse(Buffer.from(b64url, 'base64url').toString('utf8')));

/** What `read` gives when it is a JSON object; null for anything else, a throw included. */
function parseObject(read: () => unknown): Record<string, unknown> | null {
  try {
    const value = read();
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

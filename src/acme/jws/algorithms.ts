import { AcmeError } from '../../domain/errors';

/** Signature algorithms accepted on ACME requests (RFC 8555 §6.2), and the key each needs. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type AcceptedAlgorithm = (typeof ACCEPTED_ALGORITHMS)[number];

/** The curve each ECDSA algorithm needs, and its coordinates' size in bytes (RFC 7518 §3.4, §6.2.1). */
const CURVE_FOR: Record<string, { crv: string; coordinateBytes: number }> = {
  ES256: { crv: 'P-256', coordinateBytes: 32 },
  ES384: { crv: 'P-384', coordinateBytes: 48 },
  ES512: { crv: 'P-521', coordinateBytes: 66 },
};

export function badAlgorithm(detail: string): AcmeError {
  return new AcmeError('badSignatureAlgorithm', `${detail}; accepted: ${ACCEPTED_ALGORITHMS.join(', ')}`, [], {
    extra: { algorithms: [...ACCEPTED_ALGORITHMS] },
  });
}

export function assertAcceptedAlgorithm(alg: unknown): asserts alg is AcceptedAlgorithm {
  if (typeof alg !== 'string') throw new AcmeError('malformed', 'JWS protected header has no "alg"');
  if (!(ACCEPTED_ALGORITHMS as readonly string[]).includes(alg)) throw badAlgorithm(`JWS algorithm "${alg}" is not accepted`);
}

/** The JWK must be a public key of the type and size the algorithm needs. */
export function assertKeyMatches(alg: AcceptedAlgorithm, jwk: Record<string, unknown>): void {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') throw new AcmeError('malformed', 'JWK is missing or has no "kty"');
  for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
    if (priv in jwk) throw new AcmeError('malformed', `JWK must be a public key (it has the private member "${priv}")`);
  }
  if (alg === 'RS256') {
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string') throw badAlgorithm(`algorithm RS256 needs an RSA key, got kty "${jwk.kty}"`);
    const n = minimalMember(jwk, 'n');
    minimalMember(jwk, 'e');
    // The modulus's exact size: its byte count less the unused high bits of its first byte.
    const bits = n.length * 8 - Math.clz32(n[0]) + 24;
    if (bits < 2048 || bits > 8192) throw new AcmeError('badPublicKey', `RSA key of ${bits} bits is outside 2048-8192`);
    return;
  }
  if (alg === 'EdDSA') {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw badAlgorithm(`algorithm EdDSA needs an Ed25519 key, got ${jwk.kty}/${String(jwk.crv)}`);
    fixedMember(jwk, 'x', 32);
    return;
  }
  const curve = CURVE_FOR[alg];
  if (jwk.kty !== 'EC' || jwk.crv !== curve.crv) {
    throw badAlgorithm(`algorithm ${alg} needs an EC ${curve.crv} key, got ${jwk.kty}/${String(jwk.crv)}`);
  }
  fixedMember(jwk, 'x', curve.coordinateBytes);
  fixedMember(jwk, 'y', curve.coordinateBytes);
}

/*
 * A key has one JWK form, so one RFC 7638 thumbprint: the thumbprint names the account's key
 * (one account per key, a certificate key unlike the account's). RFC 7518 §6.2.1 and §6.3.1 fix
 * EC coordinates at the curve's size and RSA members at their fewest bytes; Node would import a
 * zero-padded member as the same key under another thumbprint.
 */

function memberBytes(jwk: Record<string, unknown>, name: string): Buffer {
  const value = jwk[name];
  if (typeof value !== 'string' || value.length === 0) throw new AcmeError('malformed', `JWK member "${name}" must be a non-empty base64url string`);
  const bytes = Buffer.from(value, 'base64url');
  // Decoding skips stray characters and spare bits: only the canonical spelling is one key's.
  if (bytes.toString('base64url') !== value) throw new AcmeError('malformed', `JWK member "${name}" is not canonical base64url (RFC 7515 §2: no padding, no other characters, spare bits zero)`);
  return bytes;
}

function minimalMember(jwk: Record<string, unknown>, name: string): Buffer {
  const bytes = memberBytes(jwk, name);
  if (bytes[0] === 0) throw new AcmeError('badPublicKey', `RSA JWK member "${name}" has a leading zero byte: RFC 7518 §6.3.1 requires its fewest bytes`);
  return bytes;
}

function fixedMember(jwk: Record<string, unknown>, name: string, size: number): void {
  const bytes = memberBytes(jwk, name);
  if (bytes.length !== size) throw new AcmeError('badPublicKey', `JWK member "${name}" of a ${String(jwk.crv)} key must be ${size} bytes (RFC 7518 §6.2.1), got ${bytes.length}`);
}

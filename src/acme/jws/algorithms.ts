import { AcmeError } from '../../domain/errors';

/** Signature algorithms accepted on ACME requests (RFC 8555 §6.2), and the key each needs. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type AcceptedAlgorithm = (typeof ACCEPTED_ALGORITHMS)[number];

const CURVE_FOR: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

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
    const bits = Buffer.from(jwk.n, 'base64url').length * 8;
    if (bits < 2048 || bits > 8192) throw new AcmeError('badPublicKey', `RSA key of ${bits} bits is outside 2048-8192`);
    return;
  }
  if (alg === 'EdDSA') {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw badAlgorithm(`algorithm EdDSA needs an Ed25519 key, got ${jwk.kty}/${String(jwk.crv)}`);
    return;
  }
  if (jwk.kty !== 'EC' || jwk.crv !== CURVE_FOR[alg]) {
    throw badAlgorithm(`algorithm ${alg} needs an EC ${CURVE_FOR[alg]} key, got ${jwk.kty}/${String(jwk.crv)}`);
  }
}

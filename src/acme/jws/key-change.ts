import { calculateJwkThumbprint, type JWK } from 'jose';
import { AcmeError } from '../../domain/errors';
import { assertAcceptedAlgorithm, assertKeyMatches } from './algorithms';
import { decodeHeader, parseFlattened, verifySignature } from './verify';

/**
 * The inner JWS of a key change (RFC 8555 §7.3.5): signed by the new key (carried as "jwk"), no
 * nonce, the same url as the outer JWS, and a payload naming the account and its current key.
 */
export async function verifyKeyChangeInner(
  inner: unknown,
  opts: { requestUrl: string; accountUrl: string; currentThumbprint: string },
): Promise<{ newJwk: JWK; newThumbprint: string }> {
  const jws = parseFlattened(inner);
  const header = decodeHeader(jws.protected);
  assertAcceptedAlgorithm(header.alg);
  if (typeof header.jwk !== 'object' || header.jwk === null || header.kid !== undefined) {
    throw new AcmeError('malformed', 'the inner JWS of a key change must carry the new key as "jwk" and no "kid"');
  }
  if (header.nonce !== undefined) throw new AcmeError('malformed', 'the inner JWS of a key change must not have a "nonce"');
  if (header.url !== opts.requestUrl) throw new AcmeError('malformed', 'the inner JWS "url" must equal the outer JWS "url"');
  const newJwk = header.jwk as JWK;
  assertKeyMatches(header.alg, newJwk as unknown as Record<string, unknown>);
  const bytes = await verifySignature(jws, newJwk, header.alg, header);
  let payload: { account?: unknown; oldKey?: unknown };
  try {
    payload = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new AcmeError('malformed', 'the inner JWS payload is not valid JSON');
  }
  if (payload.account !== opts.accountUrl) throw new AcmeError('malformed', 'the inner JWS "account" does not match the account of the outer JWS');
  if (!payload.oldKey || typeof payload.oldKey !== 'object') throw new AcmeError('malformed', 'the inner JWS payload has no "oldKey"');
  const oldThumbprint = await calculateJwkThumbprint(payload.oldKey as JWK, 'sha256').catch(() => {
    throw new AcmeError('malformed', 'the inner JWS "oldKey" is not a valid JWK');
  });
  if (oldThumbprint !== opts.currentThumbprint) throw new AcmeError('malformed', 'the inner JWS "oldKey" is not the current account key');
  return { newJwk, newThumbprint: await calculateJwkThumbprint(newJwk, 'sha256') };
}

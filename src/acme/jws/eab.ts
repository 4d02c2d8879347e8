import { calculateJwkThumbprint, flattenedVerify, type JWK } from 'jose';
import { AcmeError } from '../../domain/errors';
import { decodeHeader, parseFlattened } from './verify';

/**
 * The externalAccountBinding of a newAccount request (RFC 8555 §7.3.4): a flattened JWS MACed with
 * the EAB key (HS256/384/512), its kid the key id, its url the newAccount URL, no nonce, and the
 * account's public JWK as payload. Returns the key id once the MAC verifies.
 */
export async function verifyEabBinding(
  binding: unknown,
  opts: { accountJwk: JWK; requestUrl: string; lookupKey: (keyId: string) => Promise<Uint8Array | null> },
): Promise<string> {
  const jws = parseFlattened(binding);
  const header = decodeHeader(jws.protected);
  if (!['HS256', 'HS384', 'HS512'].includes(String(header.alg))) {
    throw new AcmeError('malformed', `externalAccountBinding must be MACed with HS256, HS384 or HS512 (got ${String(header.alg)})`);
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0) throw new AcmeError('malformed', 'externalAccountBinding needs the EAB key id as "kid"');
  if (header.nonce !== undefined) throw new AcmeError('malformed', 'externalAccountBinding must not carry a "nonce"');
  if (header.url !== opts.requestUrl) throw new AcmeError('malformed', 'externalAccountBinding "url" must be the newAccount URL');
  const key = await opts.lookupKey(header.kid);
  if (!key) throw new AcmeError('unauthorized', `external account binding key ${header.kid} is not known`);
  let payload: Uint8Array;
  try {
    ({ payload } = await flattenedVerify(jws, key, { algorithms: [String(header.alg)] }));
  } catch {
    throw new AcmeError('unauthorized', 'externalAccountBinding MAC does not verify with that key');
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new AcmeError('malformed', 'externalAccountBinding payload is not the account JWK');
  }
  if ((await calculateJwkThumbprint(jwk, 'sha256').catch(() => '')) !== (await calculateJwkThumbprint(opts.accountJwk, 'sha256'))) {
    throw new AcmeError('unauthorized', 'externalAccountBinding binds another key than the one signing this request');
  }
  return header.kid;
}

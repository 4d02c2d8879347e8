import { type KeyObject, verify } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { AcmeError } from '../../domain/errors';
import { type AcceptedAlgorithm, assertAcceptedAlgorithm, assertKeyMatches } from './algorithms';

/**
 * Verification of an ACME request body (RFC 8555 §6.2-6.4). Checks run in this order: JWS shape,
 * algorithm, key, signature, then `url`, then the nonce. A request signed with an account URL has
 * its nonce redeemed in the same statement that reads the account's key; should the signature or
 * the url then fail, the nonce is released again, so nobody can burn another client's nonces with
 * forged requests.
 */
export interface AccountKey {
  accountId: string;
  jwk: JWK;
  status: string;
  /** The EAB key the account was bound with, whose allowed names its orders must respect. */
  eabKeyId?: string | null;
}

export interface VerifyOptions {
  requestUrl: string;
  expectKey: 'jwk' | 'kid' | 'either';
  accountUrlPrefix: string;
  /**
   * The account behind a `kid`; given a nonce, it also redeems it in the same round trip and says
   * whether it was fresh (null: not redeemed there, `consumeNonce` decides).
   */
  lookupAccount: (accountId: string, nonce: string | null) => Promise<{ account: AccountKey | null; nonceFresh: boolean | null }>;
  consumeNonce: (nonce: string) => Promise<boolean>;
  /** Gives a nonce redeemed by `lookupAccount` back after the request failed before its nonce check. */
  releaseNonce: (nonce: string) => Promise<void>;
}

export interface VerifiedRequest {
  protectedHeader: Record<string, unknown>;
  /** null for POST-as-GET (empty payload). */
  payload: Record<string, unknown> | null;
  jwk: JWK;
  thumbprint: string;
  account: AccountKey | null;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function parseFlattened(body: unknown): { protected: string; payload: string; signature: string } {
  if (typeof body === 'string') throw new AcmeError('malformed', 'JWS must use the flattened JSON serialization (got a compact or non-JSON body)');
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AcmeError('malformed', 'request body must be a flattened JWS JSON object');
  const b = body as Record<string, unknown>;
  if ('signatures' in b) throw new AcmeError('malformed', 'JWS must use the flattened JSON serialization, not the general one');
  if ('header' in b) throw new AcmeError('malformed', 'JWS must not have an unprotected header');
  for (const k of ['protected', 'payload', 'signature'] as const) {
    if (typeof b[k] !== 'string' || !B64URL.test(b[k] as string)) throw new AcmeError('malformed', `JWS "${k}" must be a base64url string`);
  }
  return b as { protected: string; payload: string; signature: string };
}

export function decodeHeader(encoded: string): Record<string, unknown> {
  try {
    const h = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    if (!h || typeof h !== 'object' || Array.isArray(h)) throw new Error('not an object');
    return h;
  } catch {
    throw new AcmeError('malformed', 'JWS protected header is not valid base64url JSON');
  }
}

/**
 * Imported public keys and thumbprints of the accounts seen lately: importing a JWK costs more
 * than checking the signature itself. Keyed by the JWK's exact text, so a changed key is a new entry.
 */
const KEY_CACHE_SIZE = 10_000;
const knownKeys = new Map<string, { thumbprint: Promise<string>; byAlg: Map<string, ReturnType<typeof importJWK>> }>();

function known(jwk: JWK) {
  const id = JSON.stringify(jwk);
  let entry = knownKeys.get(id);
  if (!entry) {
    entry = { thumbprint: calculateJwkThumbprint(jwk, 'sha256'), byAlg: new Map() };
    entry.thumbprint.catch(() => undefined);
    if (knownKeys.size >= KEY_CACHE_SIZE) knownKeys.delete(knownKeys.keys().next().value!);
    knownKeys.set(id, entry);
  }
  return entry;
}

function importedKey(jwk: JWK, alg: string): ReturnType<typeof importJWK> {
  const entry = known(jwk);
  let key = entry.byAlg.get(alg);
  if (!key) {
    key = importJWK(jwk, alg);
    // A key that fails to import is not remembered: the next request gets the same clear error.
    key.catch(() => entry.byAlg.delete(alg));
    entry.byAlg.set(alg, key);
  }
  return key;
}

/**
 * How node:crypto checks each accepted algorithm (RFC 7518 §3.3, §3.4; RFC 8037 §3.1): the digest
 * and, for ECDSA, the JWS signature form (r || s, not DER).
 */
const NODE_VERIFY: Record<AcceptedAlgorithm, { digest: string | null; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { digest: 'sha256' },
  ES256: { digest: 'sha256', dsaEncoding: 'ieee-p1363' },
  ES384: { digest: 'sha384', dsaEncoding: 'ieee-p1363' },
  ES512: { digest: 'sha512', dsaEncoding: 'ieee-p1363' },
  EdDSA: { digest: null },
};

/**
 * The signature over `protected.payload` with the (cached) imported key; answers the payload's
 * bytes. `header` is the protected header the caller decoded. The algorithm is one of ACCEPTED_ALGORITHMS and the key was checked against it
 * (assertKeyMatches) by the caller. Checked with node:crypto directly: every request pays for it,
 * and jose's general JWS verification (header re-parsing, `crit` and `b64` handling) cost about
 * twice the signature check itself. No ACME request uses `crit`, so a header with it is refused.
 */
export async function verifySignature(jws: { protected: string; payload: string; signature: string }, jwk: JWK, alg: AcceptedAlgorithm, header: Record<string, unknown>): Promise<Uint8Array> {
  if (header.crit !== undefined) throw new AcmeError('malformed', 'JWS "crit" header parameter is not supported');
  let key: KeyObject;
  try {
    key = (await importedKey(jwk, alg)) as KeyObject;
  } catch (e) {
    throw new AcmeError('badPublicKey', `JWK could not be used: ${(e as Error).message}`);
  }
  const how = NODE_VERIFY[alg];
  let valid = false;
  try {
    const signingInput = Buffer.from(`${jws.protected}.${jws.payload}`, 'ascii');
    const signature = Buffer.from(jws.signature, 'base64url');
    valid = verify(how.digest, signingInput, how.dsaEncoding ? { key, dsaEncoding: how.dsaEncoding } : key, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new AcmeError('malformed', 'JWS signature is invalid');
  return Buffer.from(jws.payload, 'base64url');
}

export async function verifyAcmeJws(body: unknown, opts: VerifyOptions): Promise<VerifiedRequest> {
  const jws = parseFlattened(body);
  const header = decodeHeader(jws.protected);
  assertAcceptedAlgorithm(header.alg);
  const hasJwk = header.jwk !== undefined;
  const hasKid = header.kid !== undefined;
  if (hasJwk === hasKid) throw new AcmeError('malformed', 'JWS protected header must have exactly one of "jwk" and "kid"');
  if (opts.expectKey === 'jwk' && !hasJwk) throw new AcmeError('malformed', 'this resource needs a JWS with "jwk" (not "kid")');
  if (opts.expectKey === 'kid' && !hasKid) throw new AcmeError('malformed', 'this resource needs a JWS with "kid" (the account URL), not "jwk"');

  const nonce = typeof header.nonce === 'string' && header.nonce.length > 0 ? header.nonce : null;
  let jwk!: JWK;
  let account: AccountKey | null = null;
  let nonceFresh: boolean | null = null;
  if (hasJwk) {
    if (typeof header.jwk !== 'object' || header.jwk === null) throw new AcmeError('malformed', 'JWS "jwk" must be a JSON object');
    jwk = header.jwk as JWK;
  } else {
    const kid = header.kid;
    if (typeof kid !== 'string' || !kid.startsWith(opts.accountUrlPrefix)) {
      throw new AcmeError('malformed', `JWS "kid" must be an account URL starting with ${opts.accountUrlPrefix}`);
    }
    const found = await opts.lookupAccount(kid.slice(opts.accountUrlPrefix.length), nonce);
    account = found.account;
    nonceFresh = found.nonceFresh;
  }
  let payloadBytes: Uint8Array;
  try {
    if (!hasJwk) {
      if (!account) throw new AcmeError('accountDoesNotExist', `no account at ${String(header.kid)}`);
      jwk = account.jwk;
    }
    assertKeyMatches(header.alg, jwk as unknown as Record<string, unknown>);
    payloadBytes = await verifySignature(jws, jwk, header.alg, header);
    if (typeof header.url !== 'string') throw new AcmeError('malformed', 'JWS protected header has no "url"');
    if (header.url !== opts.requestUrl) {
      throw new AcmeError('unauthorized', `JWS "url" header ${header.url} does not match the request URL ${opts.requestUrl}`);
    }
  } catch (e) {
    if (nonceFresh === true && nonce) await opts.releaseNonce(nonce).catch(() => undefined);
    throw e;
  }
  if (!nonce) throw new AcmeError('badNonce', 'JWS protected header has no "nonce"');
  if (!(nonceFresh ?? (await opts.consumeNonce(nonce)))) throw new AcmeError('badNonce', `JWS has an invalid anti-replay nonce: "${nonce}"`);
  // RFC 8555 §7.3.6, §6.7: nothing signed by a deactivated account's key is accepted (401).
  if (account && account.status !== 'valid') throw new AcmeError('unauthorized', `account is ${account.status}`, [], { reason: { kind: 'unauthenticated' } });

  let payload: Record<string, unknown> | null = null;
  if (jws.payload !== '') {
    try {
      payload = JSON.parse(Buffer.from(payloadBytes).toString('utf8'));
    } catch {
      throw new AcmeError('malformed', 'request payload is not valid JSON');
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new AcmeError('malformed', 'request payload must be a JSON object');
  }
  return { protectedHeader: header, payload, jwk, thumbprint: await known(jwk).thumbprint, account };
}

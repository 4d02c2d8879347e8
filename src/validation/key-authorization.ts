import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** RFC 8555 §8.1: token "." base64url(SHA-256 JWK thumbprint of the account key). */
export async function keyAuthorization(token: string, accountJwk: JWK): Promise<string> {
  return `${token}.${await calculateJwkThumbprint(accountJwk, 'sha256')}`;
}

/** dns-01 TXT value and tls-alpn-01 extension content: SHA-256 of the key authorization. */
export function keyAuthorizationDigest(keyAuth: string): Buffer {
  return createHash('sha256').update(keyAuth).digest();
}

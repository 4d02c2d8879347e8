import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, FlattenedSign, generateKeyPair, type JWK, type KeyLike } from 'jose';

/** Real JWSs, built with jose the way ACME clients build them, with every header under the test's control. */
export interface SigningKey {
  alg: string;
  privateKey: KeyLike | Uint8Array;
  jwk: JWK;
}

export async function signingKey(alg = 'ES256', options: Record<string, unknown> = {}): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return { alg, privateKey, jwk: await exportJWK(publicKey) };
}

/** The public JWK of an RSA key of `bits` (jose refuses to make keys below 2048 bits). */
export function rsaJwk(bits: number): JWK {
  return generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' }) as JWK;
}

export type Flattened = { protected: string; payload: string; signature: string };

/** A flattened JWS of `payload` (an object is JSON-encoded; '' is POST-as-GET) signed by `key`. */
export async function sign(key: { alg: string; privateKey: KeyLike | Uint8Array }, header: Record<string, unknown>, payload: unknown = {}): Promise<Flattened> {
  const bytes = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const jws = await new FlattenedSign(new TextEncoder().encode(bytes)).setProtectedHeader({ alg: key.alg, ...header } as never).sign(key.privateKey);
  return jws as Flattened;
}

/** A JWS with a protected header jose would refuse to produce (alg "none"), and no signature. */
export function unsigned(header: Record<string, unknown>, payload: unknown = {}): Flattened {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return { protected: b64(header), payload: b64(payload), signature: '' };
}

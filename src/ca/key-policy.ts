import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { AcmeError } from '../domain/errors';

/**
 * Which certificate keys this CA signs: RSA 2048 to 8192 bits (a multiple of 8, odd exponent of at
 * least 65537) and ECDSA on P-256 or P-384, the keys every browser and TLS library accepts.
 * Everything else (P-521, Ed25519, short RSA) is refused as badPublicKey, naming type and size.
 */
export type CertificateKeyType = 'rsa' | 'ec';
export type CertificateCurve = 'P-256' | 'P-384';

export interface CertificateKey {
  keyType: CertificateKeyType;
  /** RSA modulus bits, or the curve's size in bits for ECDSA. */
  keySize: number;
  /** Named curve of an ECDSA key; null for RSA. */
  curve: CertificateCurve | null;
  /** Stable short name used in events and read models: "rsa-2048", "ecdsa-p256". */
  keyName: string;
  publicKeyJwk: JWK;
  /** SubjectPublicKeyInfo, DER. */
  publicKeyDer: Buffer;
  /** The key as imported once here: reading a DER key costs more than a signature check with it. */
  keyObject: KeyObject;
}

const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 8192;
const MIN_RSA_EXPONENT = 65537n;
const ACCEPTED = 'accepted keys are RSA of 2048 to 8192 bits and ECDSA on P-256 or P-384';

/** Node's names for the curves, mapped to the names of RFC 7518 / WebCrypto. */
const CURVES: Record<string, { curve: string; bits: number }> = {
  prime256v1: { curve: 'P-256', bits: 256 },
  secp384r1: { curve: 'P-384', bits: 384 },
  secp521r1: { curve: 'P-521', bits: 521 },
  secp256k1: { curve: 'secp256k1', bits: 256 },
};

/** Sizes of the key types Node knows without a modulus or curve, for the refusal message. */
const FIXED_SIZES: Record<string, string> = { ed25519: 'Ed25519 key (256 bits)', ed448: 'Ed448 key (456 bits)', x25519: 'X25519 key (256 bits)', x448: 'X448 key (448 bits)' };

function readKey(spki: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (e) {
    throw new AcmeError('badPublicKey', `the public key could not be read: ${(e as Error).message}`);
  }
}

/** Checks a SubjectPublicKeyInfo against the key policy; returns what the CA needs to know of it. */
export function checkCertificateKey(spki: Uint8Array): CertificateKey {
  const key = readKey(spki);
  const details = key.asymmetricKeyDetails ?? {};
  const publicKeyDer = key.export({ format: 'der', type: 'spki' });
  const base = () => ({ publicKeyJwk: key.export({ format: 'jwk' }) as JWK, publicKeyDer, keyObject: key });

  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || bits % 8 !== 0) {
      throw new AcmeError('badPublicKey', `RSA key of ${bits} bits is not accepted: RSA keys must have ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits, a multiple of 8`);
    }
    const exponent = details.publicExponent ?? 0n;
    if (exponent < MIN_RSA_EXPONENT || exponent % 2n === 0n) {
      throw new AcmeError('badPublicKey', `RSA key of ${bits} bits with public exponent ${exponent} is not accepted: the exponent must be odd and at least ${MIN_RSA_EXPONENT}`);
    }
    return { keyType: 'rsa', keySize: bits, curve: null, keyName: `rsa-${bits}`, ...base() };
  }
  if (key.asymmetricKeyType === 'ec') {
    const known = CURVES[details.namedCurve ?? ''];
    if (known?.curve === 'P-256' || known?.curve === 'P-384') {
      const curve = known.curve as CertificateCurve;
      return { keyType: 'ec', keySize: known.bits, curve, keyName: `ecdsa-${curve.replace('-', '').toLowerCase()}`, ...base() };
    }
    const described = known ? `${known.curve} (${details.namedCurve}, ${known.bits} bits)` : `${details.namedCurve ?? 'an unnamed curve'}`;
    throw new AcmeError('badPublicKey', `ECDSA key on curve ${described} is not accepted: ${ACCEPTED}`);
  }
  const type = key.asymmetricKeyType ?? 'unknown';
  const described = FIXED_SIZES[type] ?? (details.modulusLength ? `${type} key of ${details.modulusLength} bits` : `${type} key`);
  throw new AcmeError('badPublicKey', `${described} is not accepted: ${ACCEPTED}`);
}

/** Curves the JWS algorithms accept for account keys (ES512, EdDSA) but the CA never certifies. */
const ACCOUNT_ONLY = (key: KeyObject) => key.asymmetricKeyType === 'ed25519' || (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp521r1');

/**
 * Account keys follow the certificate key policy above (the same RSA sizes and exponent, the same
 * curves), plus the P-521 and Ed25519 keys that ES512 and EdDSA signatures need. Returns the
 * key's SubjectPublicKeyInfo (DER), by which a compromised key is blocked.
 */
export function checkAccountKey(jwk: JWK): Buffer {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch (e) {
    throw new AcmeError('badPublicKey', `the account key could not be read: ${(e as Error).message}`);
  }
  const spki = key.export({ format: 'der', type: 'spki' });
  if (!ACCOUNT_ONLY(key)) checkCertificateKey(new Uint8Array(spki));
  return spki;
}

/**
 * RFC 5280 §4.2.1.2 method (1): the SHA-1 of the subjectPublicKey bits, as lowercase hex. Those
 * bits are the uncompressed point for ECDSA and the PKCS#1 RSAPublicKey for RSA.
 */
export function subjectKeyIdentifier(key: CertificateKey): string {
  const bits =
    key.keyType === 'ec'
      ? Buffer.concat([Buffer.from([0x04]), Buffer.from(key.publicKeyJwk.x!, 'base64url'), Buffer.from(key.publicKeyJwk.y!, 'base64url')])
      : key.keyObject.export({ format: 'der', type: 'pkcs1' });
  return createHash('sha1').update(bits).digest('hex');
}

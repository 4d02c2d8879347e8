import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { subtle, x509 } from '../crypto';

/**
 * Signing keys of the internal CA: the algorithms it signs with, and reading a PEM private key
 * (PKCS#8, PKCS#1 or SEC1; "ENCRYPTED PRIVATE KEY" with a passphrase) into WebCrypto.
 */
export type CaKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-4096';

export const CA_KEY_ALGORITHMS: Record<CaKeyType, RsaHashedKeyGenParams | EcKeyGenParams> = {
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256' },
  'ecdsa-p384': { name: 'ECDSA', namedCurve: 'P-384' },
  'rsa-2048': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  'rsa-4096': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
};

/** ECDSA signs with the hash matching its curve (SHA-256 on P-256, SHA-384 on P-384); RSA with SHA-256. */
export function signingAlgorithmFor(key: CryptoKey): Algorithm | EcdsaParams {
  const alg = key.algorithm as EcKeyAlgorithm;
  if (alg.name === 'ECDSA') return { name: 'ECDSA', hash: alg.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256' } as EcdsaParams;
  return { name: 'RSASSA-PKCS1-v1_5' };
}

export interface LoadedPrivateKey {
  signingKey: CryptoKey;
  /** SubjectPublicKeyInfo DER of the matching public key, to compare with the certificate. */
  publicKeyDer: Buffer;
}

function decrypt(file: string, passphrase: string | undefined): KeyObject {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read the private key file: ${(e as Error).message}`);
  }
  // PKCS#8 "ENCRYPTED PRIVATE KEY", or a traditional PEM with a Proc-Type ENCRYPTED header.
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem.toString('latin1'));
  if (encrypted && passphrase === undefined) throw new Error(`${file}: the private key is encrypted and no passphrase is configured`);
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MISSING_PASSPHRASE') throw new Error(`${file}: the private key is encrypted and no passphrase is configured`);
    if (encrypted) throw new Error(`${file}: cannot decrypt the private key: wrong passphrase (${err.message})`);
    throw new Error(`${file}: not a PEM private key: ${err.message}`);
  }
}

function webCryptoAlgorithm(file: string, key: KeyObject): RsaHashedImportParams | EcKeyImportParams {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1') return { name: 'ECDSA', namedCurve: 'P-256' };
  if (key.asymmetricKeyType === 'ec' && curve === 'secp384r1') return { name: 'ECDSA', namedCurve: 'P-384' };
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const what = key.asymmetricKeyType === 'ec' ? `ECDSA ${curve}` : key.asymmetricKeyType;
  throw new Error(`${file}: ${what} keys cannot sign certificates here (use ECDSA P-256, ECDSA P-384 or RSA)`);
}

export async function loadPrivateKeyFile(file: string, passphrase: string | undefined): Promise<LoadedPrivateKey> {
  const key = decrypt(file, passphrase);
  const algorithm = webCryptoAlgorithm(file, key);
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const signingKey = await subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
  return { signingKey, publicKeyDer: createPublicKey(key).export({ format: 'der', type: 'spki' }) };
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return `${x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY')}\n`;
}

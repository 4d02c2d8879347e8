import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subtle, x509 } from '../crypto';

/**
 * The internal CA's certificates and keys on disk: generated on first start into <data_dir>/ca
 * (keys mode 0400, folder 0700), or loaded from configured PEM files with an optional passphrase.
 */
export type CaKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-4096';

export interface CaMaterial {
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
  intermediateKey: CryptoKey;
  signingAlgorithm: Algorithm | EcdsaParams;
}

const KEY_ALGORITHMS: Record<CaKeyType, RsaHashedKeyGenParams | EcKeyGenParams> = {
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256' },
  'ecdsa-p384': { name: 'ECDSA', namedCurve: 'P-384' },
  'rsa-2048': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  'rsa-4096': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
};

function signingAlgorithmFor(key: CryptoKey): Algorithm | EcdsaParams {
  const alg = key.algorithm as EcKeyAlgorithm;
  if (alg.name === 'ECDSA') return { name: 'ECDSA', hash: alg.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256' } as EcdsaParams;
  return { name: 'RSASSA-PKCS1-v1_5' };
}

const YEAR = 365 * 86_400_000;

async function generate(dir: string, keyType: CaKeyType, now: Date): Promise<void> {
  const alg = KEY_ALGORITHMS[keyType];
  const rootKeys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const interKeys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(now.getTime() - 60_000);
  const rootSki = await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=certledger Root CA, O=certledger',
    notBefore,
    notAfter: new Date(now.getTime() + 10 * YEAR),
    keys: rootKeys,
    signingAlgorithm: signingAlgorithmFor(rootKeys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      rootSki,
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=certledger Intermediate CA, O=certledger',
    issuer: root.subject,
    notBefore,
    notAfter: new Date(now.getTime() + 5 * YEAR),
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: signingAlgorithmFor(rootKeys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(interKeys.publicKey),
      new x509.AuthorityKeyIdentifierExtension(rootSki.keyId),
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const writeKey = async (name: string, key: CryptoKey) => {
    const pem = x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
    writeFileSync(join(dir, name), pem, { mode: 0o400 });
  };
  await writeKey('root.key', rootKeys.privateKey);
  await writeKey('intermediate.key', interKeys.privateKey);
  // Certificates last: a folder with both certificates holds a complete CA.
  writeFileSync(join(dir, 'root.pem'), root.toString('pem') + '\n', { mode: 0o444 });
  writeFileSync(join(dir, 'intermediate.pem'), intermediate.toString('pem') + '\n', { mode: 0o444 });
}

/** 128 random bits, positive (top bit clear) and never zero. */
export function randomSerial(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[0] &= 0x7f;
  if (bytes[0] === 0) bytes[0] = 0x01;
  return Buffer.from(bytes).toString('hex');
}

async function importPrivateKey(file: string, passphrase: string | undefined): Promise<CryptoKey> {
  let keyObject;
  try {
    keyObject = createPrivateKey({ key: readFileSync(file), format: 'pem', passphrase });
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(`${file}: cannot read the private key${/passphrase|decrypt|bad decrypt/i.test(msg) ? ' (wrong or missing passphrase)' : ''}: ${msg}`);
  }
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  const type = keyObject.asymmetricKeyType;
  const curve = keyObject.asymmetricKeyDetails?.namedCurve;
  const alg =
    type === 'ec'
      ? { name: 'ECDSA', namedCurve: curve === 'secp384r1' ? 'P-384' : 'P-256' }
      : type === 'rsa'
        ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
        : null;
  if (!alg) throw new Error(`${file}: ${type} keys cannot sign certificates here (use ECDSA P-256/P-384 or RSA)`);
  return subtle.importKey('pkcs8', der, alg, false, ['sign']);
}

function readCert(file: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a PEM certificate: ${(e as Error).message}`);
  }
}

export interface CaFileOptions {
  dataDir: string;
  keyType: CaKeyType;
  rootCertFile: string | null;
  intermediateCertFile: string | null;
  intermediateKeyFile: string | null;
  keyPassphrase?: string;
  now: () => Date;
}

export async function loadOrCreateCa(o: CaFileOptions): Promise<CaMaterial & { generated: boolean }> {
  let generated = false;
  let rootFile = o.rootCertFile;
  let interFile = o.intermediateCertFile;
  let keyFile = o.intermediateKeyFile;
  if (!interFile) {
    const dir = join(o.dataDir, 'ca');
    rootFile = join(dir, 'root.pem');
    interFile = join(dir, 'intermediate.pem');
    keyFile = join(dir, 'intermediate.key');
    const present = [rootFile, interFile, keyFile].filter(existsSync);
    if (present.length === 0) {
      await generate(dir, o.keyType, o.now());
      generated = true;
    } else if (present.length < 3) {
      const missing = [rootFile, interFile, keyFile].filter((f) => !existsSync(f));
      throw new Error(`the CA in ${dir} is incomplete: ${missing.join(', ')} missing (restore it from backup; it is never regenerated over existing files)`);
    }
  }
  const root = readCert(rootFile!);
  const intermediate = readCert(interFile);
  const intermediateKey = await importPrivateKey(keyFile!, o.keyPassphrase);
  const certSpki = Buffer.from(intermediate.publicKey.rawData);
  const keySpki = createPublicKey(createPrivateKey({ key: readFileSync(keyFile!), format: 'pem', passphrase: o.keyPassphrase })).export({ format: 'der', type: 'spki' });
  if (!certSpki.equals(keySpki)) throw new Error(`${keyFile}: the private key does not match the certificate ${interFile}`);
  return { root, intermediate, intermediateKey, signingAlgorithm: signingAlgorithmFor(intermediateKey), generated };
}

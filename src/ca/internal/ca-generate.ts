import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subtle, x509 } from '../crypto';
import { CA_KEY_ALGORITHMS, type CaKeyType, privateKeyPem, signingAlgorithmFor } from './key-files';
import { randomSerial } from './serial';

/**
 * First start without configured CA files: a root (10 years) and an intermediate (5 years, path
 * length 0) are generated into <dataDir>/ca. Everything is written into a private staging folder
 * that is then renamed into place, so a crash never leaves half a CA behind, and of two instances
 * generating at once exactly one wins and the other loads the winner's files.
 */
export const CA_FILE_NAMES = { rootCert: 'root.pem', rootKey: 'root.key', intermediateCert: 'intermediate.pem', intermediateKey: 'intermediate.key' } as const;

const YEAR_MS = 365 * 86_400_000;
const ROOT_VALIDITY_MS = 10 * YEAR_MS;
const INTERMEDIATE_VALIDITY_MS = 5 * YEAR_MS;
const BACKDATE_MS = 60_000;
const KEY_FILE_MODE = 0o400;
const CERT_FILE_MODE = 0o444;

interface GeneratedCa {
  root: x509.X509Certificate;
  rootKey: CryptoKey;
  intermediate: x509.X509Certificate;
  intermediateKey: CryptoKey;
}

async function createCertificates(keyType: CaKeyType, now: Date): Promise<GeneratedCa> {
  const alg = CA_KEY_ALGORITHMS[keyType];
  const rootKeys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const interKeys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const rootSki = await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=certledger Root CA, O=certledger',
    notBefore,
    notAfter: new Date(now.getTime() + ROOT_VALIDITY_MS),
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
    issuer: root.subjectName,
    notBefore,
    notAfter: new Date(now.getTime() + INTERMEDIATE_VALIDITY_MS),
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: signingAlgorithmFor(rootKeys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      // digitalSignature lets the intermediate sign OCSP responses itself later.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(interKeys.publicKey),
      new x509.AuthorityKeyIdentifierExtension(rootSki.keyId),
    ],
  });
  return { root, rootKey: rootKeys.privateKey, intermediate, intermediateKey: interKeys.privateKey };
}

/**
 * Generates the CA into `dir` (which must not hold CA files). Returns false when another process
 * put a CA there first; the caller then loads that one.
 */
export async function generateCa(dir: string, keyType: CaKeyType, now: Date): Promise<boolean> {
  const ca = await createCertificates(keyType, now);
  const parent = join(dir, '..');
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, '.ca-staging-')); // mode 0700
  try {
    writeFileSync(join(staging, CA_FILE_NAMES.rootKey), await privateKeyPem(ca.rootKey), { mode: KEY_FILE_MODE });
    writeFileSync(join(staging, CA_FILE_NAMES.intermediateKey), await privateKeyPem(ca.intermediateKey), { mode: KEY_FILE_MODE });
    writeFileSync(join(staging, CA_FILE_NAMES.rootCert), `${ca.root.toString('pem')}\n`, { mode: CERT_FILE_MODE });
    writeFileSync(join(staging, CA_FILE_NAMES.intermediateCert), `${ca.intermediate.toString('pem')}\n`, { mode: CERT_FILE_MODE });
    try {
      // Replaces `dir` only when it is absent or empty.
      renameSync(staging, dir);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

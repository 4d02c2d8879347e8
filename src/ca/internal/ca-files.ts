import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { x509 } from '../crypto';
import { CA_FILE_NAMES, generateCa } from './ca-generate';
import { type CaKeyType, loadPrivateKeyFile, signingAlgorithmFor } from './key-files';

/**
 * The internal CA's certificates and signing key: generated on first start into <dataDir>/ca
 * (keys mode 0400, folder 0700) and loaded from there afterwards, or loaded from configured PEM
 * files. Files that are present are never overwritten; an incomplete set is an error that names
 * what is missing, because regenerating would silently replace the CA clients trust.
 */
export interface CaMaterial {
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
  signingKey: CryptoKey;
  signingAlgorithm: Algorithm | EcdsaParams;
  /** The files it came from, for messages. */
  files: { rootCert: string; intermediateCert: string; intermediateKey: string };
  /** True when this call generated a new CA. */
  generated: boolean;
}

export interface CaFileOptions {
  dataDir: string;
  keyType: CaKeyType;
  rootCertFile?: string | null;
  intermediateCertFile?: string | null;
  intermediateKeyFile?: string | null;
  keyPassphrase?: string;
}

type CaFiles = CaMaterial['files'];

function readCertificate(file: string): x509.X509Certificate {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read the certificate file: ${(e as Error).message}`);
  }
  try {
    return new x509.X509Certificate(pem);
  } catch (e) {
    throw new Error(`${file}: not a PEM certificate: ${(e as Error).message}`);
  }
}

function configuredFiles(o: CaFileOptions): CaFiles | null {
  const { rootCertFile, intermediateCertFile, intermediateKeyFile } = o;
  if (!rootCertFile && !intermediateCertFile && !intermediateKeyFile) return null;
  const missing = [
    !intermediateCertFile && 'the intermediate certificate file',
    !intermediateKeyFile && 'the intermediate key file',
    !rootCertFile && 'the root certificate file',
  ].filter(Boolean);
  if (missing.length) throw new Error(`CA files are configured partly: ${missing.join(' and ')} must be given too`);
  return { rootCert: rootCertFile!, intermediateCert: intermediateCertFile!, intermediateKey: intermediateKeyFile! };
}

/** The embedded CA's folder: generate when empty, refuse when incomplete. */
async function embeddedFiles(o: CaFileOptions, now: Date): Promise<{ files: CaFiles; generated: boolean }> {
  const dir = join(o.dataDir, 'ca');
  const files: CaFiles = {
    rootCert: join(dir, CA_FILE_NAMES.rootCert),
    intermediateCert: join(dir, CA_FILE_NAMES.intermediateCert),
    intermediateKey: join(dir, CA_FILE_NAMES.intermediateKey),
  };
  // root.key may have been moved offline on purpose; it is not needed to issue.
  const required = Object.values(files);
  const anyPresent = [...required, join(dir, CA_FILE_NAMES.rootKey)].some((f) => existsSync(f));
  let generated = false;
  if (!anyPresent) generated = await generateCa(dir, o.keyType, now);
  const missing = required.filter((f) => !existsSync(f));
  if (missing.length) {
    throw new Error(`the CA in ${dir} is incomplete: ${missing.join(', ')} missing (restore it from a backup; a CA is never regenerated over existing files)`);
  }
  return { files, generated };
}

async function checkConsistent(root: x509.X509Certificate, intermediate: x509.X509Certificate, keyDer: Buffer, files: CaFiles): Promise<void> {
  if (!Buffer.from(intermediate.publicKey.rawData).equals(keyDer)) {
    throw new Error(`${files.intermediateKey}: the private key does not match the certificate ${files.intermediateCert}`);
  }
  const constraints = intermediate.getExtension(x509.BasicConstraintsExtension);
  if (!constraints?.ca) throw new Error(`${files.intermediateCert}: not a CA certificate (basicConstraints CA:true is missing)`);
  const signedByRoot = await intermediate.verify({ publicKey: root.publicKey, signatureOnly: true }).catch(() => false);
  if (!signedByRoot) throw new Error(`${files.intermediateCert}: not signed by the root certificate ${files.rootCert}`);
}

export async function loadOrCreateCa(o: CaFileOptions, now: Date): Promise<CaMaterial> {
  const configured = configuredFiles(o);
  const { files, generated } = configured ? { files: configured, generated: false } : await embeddedFiles(o, now);
  const root = readCertificate(files.rootCert);
  const intermediate = readCertificate(files.intermediateCert);
  const key = await loadPrivateKeyFile(files.intermediateKey, o.keyPassphrase);
  await checkConsistent(root, intermediate, key.publicKeyDer, files);
  return { root, intermediate, signingKey: key.signingKey, signingAlgorithm: signingAlgorithmFor(key.signingKey), files, generated };
}

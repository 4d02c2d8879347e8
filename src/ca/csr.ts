import { constants, verify } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { AcmeError } from '../domain/errors';
import { NODE_HASH, x509 } from './crypto';
import { derFirstChild } from './der';
import { checkCertificateKey, type CertificateKey } from './key-policy';
import { checkRequestedExtensions } from './csr-extensions';
import { checkSignatureAlgorithm } from './csr-signature';

/**
 * The finalize CSR (RFC 8555 §7.4): parsed with @peculiar/x509, key within policy, signature
 * verified, only extensions a client may ask for, names equal to the order's identifiers, and a
 * key that is not the account key. Every refusal says precisely what is wrong.
 */
export interface CheckedCsr extends CertificateKey {
  /** dNSNames of the subjectAltName and the common name, lowercased, unique, sorted. */
  names: string[];
  /** The requested common name (lowercased), when the subject carries one. */
  commonName: string | null;
  /** The client asked for the TLS Feature "status_request" (must-staple). */
  mustStaple: boolean;
  /** Requested extensions the certificate carries as they are (the TLS Feature). */
  copyExtensions: x509.Extension[];
  csr: x509.Pkcs10CertificateRequest;
}

export interface CsrPolicy {
  /** RFC 7638 SHA-256 thumbprint of the ordering account's key; the certificate key must differ. */
  accountKeyThumbprint?: string;
}

function parse(csrDer: Uint8Array): x509.Pkcs10CertificateRequest {
  try {
    // A copy: Node Buffers may be views into a shared pool.
    const csr = new x509.Pkcs10CertificateRequest(Uint8Array.from(csrDer));
    void csr.extensions; // read here so that a malformed extensionRequest counts as unparseable
    return csr;
  } catch (e) {
    throw new AcmeError('badCSR', `CSR could not be parsed: ${(e as Error).message}`);
  }
}

/**
 * The CSR's signature over its certificationRequestInfo, checked with the key already imported by
 * the key policy (ECDSA signatures are DER as in the CSR; RSA-PSS uses the CSR's salt length).
 */
function signatureVerifies(csr: x509.Pkcs10CertificateRequest, key: CertificateKey): boolean {
  const alg = csr.signatureAlgorithm as { name: string; hash: { name: string } | string; saltLength?: number };
  const hash = NODE_HASH[typeof alg.hash === 'string' ? alg.hash : alg.hash.name];
  const signature = new Uint8Array(csr.signature);
  const tbs = derFirstChild(new Uint8Array(csr.rawData));
  try {
    if (alg.name === 'RSA-PSS') {
      return verify(hash, tbs, { key: key.keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength ?? 20 }, signature);
    }
    return verify(hash, tbs, alg.name === 'ECDSA' ? { key: key.keyObject, dsaEncoding: 'der' } : key.keyObject, signature);
  } catch {
    return false;
  }
}

/** SAN dNSNames plus the common name. A CN must repeat a SAN; a CSR with no SAN at all may name its one identifier in the CN (RFC 8555 §7.4 allows either). */
function requestedNames(csr: x509.Pkcs10CertificateRequest, sanNames: string[]): { names: string[]; commonName: string | null } {
  const cns = csr.subjectName.getField('CN');
  if (cns.length > 1) throw new AcmeError('badCSR', `CSR has ${cns.length} common names; at most one is accepted`);
  const commonName = cns[0]?.toLowerCase() ?? null;
  const names = new Set(sanNames);
  if (commonName !== null) {
    if (names.size > 0 && !names.has(commonName)) {
      throw new AcmeError('badCSR', `CSR common name ${commonName} is not one of its subject alternative names (${[...names].join(', ')})`);
    }
    names.add(commonName);
  }
  if (names.size === 0) throw new AcmeError('badCSR', 'CSR names no DNS identifier: it has neither subjectAltName dNSNames nor a common name');
  return { names: [...names].sort(), commonName };
}

function checkNamesEqualOrder(names: string[], expectedNames: string[]): void {
  const expected = new Set(expectedNames.map((n) => n.toLowerCase()));
  const missing = [...expected].filter((n) => !names.includes(n)).sort();
  const extra = names.filter((n) => !expected.has(n));
  if (missing.length === 0 && extra.length === 0) return;
  const parts = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `not in the order: ${extra.join(', ')}` : ''].filter(Boolean);
  throw new AcmeError('badCSR', `CSR names must equal the order's identifiers (${parts.join('; ')})`);
}

/** RFC 8555 §7.4: a CSR whose key the policy refuses is a badCSR (the JWS key is badPublicKey's). */
function csrKey(spki: Uint8Array): CertificateKey {
  try {
    return checkCertificateKey(spki);
  } catch (e) {
    if (e instanceof AcmeError && e.type === 'badPublicKey') throw new AcmeError('badCSR', `CSR key refused: ${e.detail}`);
    throw e;
  }
}

/**
 * Parses and checks a finalize CSR against the order's identifiers. `policy` may also be the
 * account key thumbprint itself (an empty string skips that check).
 */
export async function parseAndCheckCsr(csrDer: Uint8Array, expectedNames: string[], policy: CsrPolicy | string = {}): Promise<CheckedCsr> {
  const { accountKeyThumbprint } = typeof policy === 'string' ? { accountKeyThumbprint: policy || undefined } : policy;
  const csr = parse(csrDer);
  const key = csrKey(new Uint8Array(csr.publicKey.rawData));
  checkSignatureAlgorithm(csr, key.keyType);
  if (!signatureVerifies(csr, key)) throw new AcmeError('badCSR', 'CSR signature is invalid');
  const extensions = checkRequestedExtensions(csr.extensions);
  const { names, commonName } = requestedNames(csr, extensions.dnsNames);
  checkNamesEqualOrder(names, expectedNames);
  if (accountKeyThumbprint && (await calculateJwkThumbprint(key.publicKeyJwk, 'sha256')) === accountKeyThumbprint) {
    throw new AcmeError('badCSR', 'certificate public key must be different from the account key');
  }
  return { ...key, names, commonName, mustStaple: extensions.mustStaple, copyExtensions: extensions.copy, csr };
}

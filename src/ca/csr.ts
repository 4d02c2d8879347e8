import { calculateJwkThumbprint } from 'jose';
import { AcmeError } from '../domain/errors';
import { type CsrDer, type CsrExtension, readCsr } from './csr-der';
import { checkRequestedExtensions, readExtensionValues, type RequestedExtension } from './csr-extensions';
import { checkSignatureAlgorithm, signatureVerifies } from './csr-signature';
import { checkCertificateKey, type CertificateKey } from './key-policy';

/**
 * The finalize CSR (RFC 8555 §7.4): read as DER (csr-der.ts), key within policy, signature
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
  /** Requested extensions the certificate carries as they are (none today: must-staple is refused). */
  copyExtensions: CsrExtension[];
}

export interface CsrPolicy {
  /** RFC 7638 SHA-256 thumbprint of the ordering account's key; the certificate key must differ. */
  accountKeyThumbprint?: string;
}

interface ReadCsr extends CsrDer {
  requested: RequestedExtension[];
}

/** The CSR's structure and the values of the extensions it requests; any malformation is a CSR that could not be parsed. */
function parse(csrDer: Uint8Array): ReadCsr {
  try {
    const csr = readCsr(csrDer);
    return { ...csr, requested: readExtensionValues(csr.extensions) };
  } catch (e) {
    throw new AcmeError('badCSR', `CSR could not be parsed: ${(e as Error).message}`);
  }
}

/** SAN dNSNames plus the common name. A CN must repeat a SAN; a CSR with no SAN at all may name its one identifier in the CN (RFC 8555 §7.4 allows either). */
function requestedNames(cns: readonly string[], sanNames: string[]): { names: string[]; commonName: string | null } {
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
  const key = csrKey(csr.spki);
  checkSignatureAlgorithm(csr.signatureAlgorithm, key.keyType);
  if (!signatureVerifies(csr.signatureAlgorithm, csr.info, csr.signature, key)) throw new AcmeError('badCSR', 'CSR signature is invalid');
  const extensions = checkRequestedExtensions(csr.requested);
  const { names, commonName } = requestedNames(csr.commonNames, extensions.dnsNames);
  checkNamesEqualOrder(names, expectedNames);
  if (accountKeyThumbprint && (await calculateJwkThumbprint(key.publicKeyJwk, 'sha256')) === accountKeyThumbprint) {
    throw new AcmeError('badCSR', 'certificate public key must be different from the account key');
  }
  return { ...key, names, commonName, mustStaple: extensions.mustStaple, copyExtensions: extensions.copy };
}

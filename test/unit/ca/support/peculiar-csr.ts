import { constants, verify } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { NODE_HASH, x509 } from '../../../../src/ca/crypto';
import { MUST_STAPLE_REFUSED, OID_BASIC_CONSTRAINTS, OID_EXTENDED_KEY_USAGE, OID_KEY_USAGE, OID_SUBJECT_ALT_NAME, OID_SUBJECT_KEY_IDENTIFIER, OID_TLS_FEATURE } from '../../../../src/ca/csr-extensions';
import { canonicalIp } from '../../../../src/domain/policy/ip-identifier';
import { AcmeError } from '../../../../src/domain/errors';
import { checkCertificateKey, type CertificateKey } from '../../../../src/ca/key-policy';

/*
 * The oracle: the finalize CSR check as it was when it read the CSR with @peculiar/x509 (a copy of
 * parseAndCheckCsr, checkRequestedExtensions and checkSignatureAlgorithm before the CSR was read as
 * DER). The lean path must read the same values, accept the same CSRs and refuse with the same
 * details, or refuse where this one could not parse.
 */

/** The certificationRequestInfo as @peculiar/x509 verifies it (its raw bytes as parsed). */
const signedPart = (csr: x509.Pkcs10CertificateRequest): ArrayBuffer => (csr as unknown as { tbs: ArrayBuffer }).tbs;

/** What @peculiar/x509 reads of a CSR, in the lean reader's terms. */
export function peculiarRead(der: Uint8Array) {
  const csr = new x509.Pkcs10CertificateRequest(Uint8Array.from(der));
  const alg = csr.signatureAlgorithm as { name: string; hash?: { name: string } | string; saltLength?: number };
  const hash = alg.hash === undefined ? null : typeof alg.hash === 'string' ? alg.hash : alg.hash.name;
  return {
    info: Buffer.from(signedPart(csr)),
    spki: Buffer.from(csr.publicKey.rawData),
    signatureAlgorithm: { name: alg.name, hash, ...(alg.saltLength !== undefined ? { saltLength: alg.saltLength } : {}) },
    signature: Buffer.from(csr.signature),
    commonNames: csr.subjectName.getField('CN'),
    extensions: csr.extensions.map((e) => ({ oid: e.type, critical: e.critical, value: Buffer.from(e.value) })),
    sanNames: csr.extensions.filter((e) => e.type === OID_SUBJECT_ALT_NAME).map((e) => new x509.SubjectAlternativeNameExtension(e.rawData).names.items.map((n) => ({ type: n.type, value: n.value }))),
    basicConstraintsCa: csr.extensions.filter((e) => e.type === OID_BASIC_CONSTRAINTS).map((e) => new x509.BasicConstraintsExtension(e.rawData).ca),
    verifies: () => csr.verify(),
  };
}

const NAME_KINDS: Record<string, string> = { ip: 'an IP address', email: 'an email address', url: 'a URI', dn: 'a directory name', guid: 'a GUID other name', upn: 'a UPN other name', id: 'a registered ID' };
const ACCEPTED = [OID_SUBJECT_ALT_NAME, OID_KEY_USAGE, OID_EXTENDED_KEY_USAGE, OID_BASIC_CONSTRAINTS, OID_SUBJECT_KEY_IDENTIFIER, OID_TLS_FEATURE];
const ACCEPTED_LIST = 'subjectAltName, keyUsage, extendedKeyUsage, basicConstraints (CA:false) and subjectKeyIdentifier';
const MUST_STAPLE_VALUE = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]);

function checkExtensions(extensions: readonly x509.Extension[]): string[] {
  const seen = new Set<string>();
  let dnsNames: string[] = [];
  for (const ext of extensions) {
    if (!ACCEPTED.includes(ext.type)) throw new AcmeError('badCSR', `CSR requests extension ${ext.type}, which this CA does not issue (accepted: ${ACCEPTED_LIST})`);
    if (seen.has(ext.type)) throw new AcmeError('badCSR', `CSR requests extension ${ext.type} more than once`);
    seen.add(ext.type);
    if (ext.type === OID_SUBJECT_ALT_NAME) {
      const names: string[] = [];
      for (const name of new x509.SubjectAlternativeNameExtension(ext.rawData).names.items) {
        if (name.type === 'ip') {
          const checked = canonicalIp(name.value);
          if ('problem' in checked) throw new AcmeError('badCSR', `CSR has an unusable iPAddress subject alternative name: ${checked.problem}`);
          names.push(checked.ip);
          continue;
        }
        if (name.type !== 'dns') throw new AcmeError('badCSR', `CSR has ${NAME_KINDS[name.type] ?? `a ${name.type}`} subject alternative name (${name.value}): only dns and ip identifiers are issued`);
        names.push(name.value.toLowerCase());
      }
      dnsNames = [...new Set(names)];
    }
    if (ext.type === OID_BASIC_CONSTRAINTS && new x509.BasicConstraintsExtension(ext.rawData).ca) {
      throw new AcmeError('badCSR', 'CSR requests a CA certificate (basicConstraints CA:true); only CA:false is issued');
    }
    if (ext.type === OID_TLS_FEATURE) {
      if (!Buffer.from(ext.value).equals(MUST_STAPLE_VALUE)) throw new AcmeError('badCSR', `CSR requests a TLS Feature (${OID_TLS_FEATURE}) other than status_request (must-staple)`);
      throw new AcmeError('badCSR', MUST_STAPLE_REFUSED);
    }
  }
  return dnsNames;
}

function checkAlgorithm(csr: x509.Pkcs10CertificateRequest, keyType: 'rsa' | 'ec'): void {
  let name = 'unknown';
  let hash: string | null = null;
  try {
    const alg = csr.signatureAlgorithm as { name?: string; hash?: { name?: string } | string };
    hash = typeof alg.hash === 'string' ? alg.hash : (alg.hash?.name ?? null);
    name = alg.name ?? 'unknown';
  } catch {
    // as before: an algorithm that cannot be described is "unknown"
  }
  const accepted = keyType === 'rsa' ? ['RSASSA-PKCS1-v1_5', 'RSA-PSS'] : ['ECDSA'];
  if (!accepted.includes(name) || !hash || !['SHA-256', 'SHA-384', 'SHA-512'].includes(hash)) {
    const shown = hash ? `${name} with ${hash}` : name;
    throw new AcmeError('badCSR', `CSR signature algorithm ${shown} is not accepted for an ${keyType.toUpperCase()} key: use SHA-256, SHA-384 or SHA-512 with RSA (PKCS#1 v1.5 or PSS) or ECDSA`);
  }
}

function signatureVerifies(csr: x509.Pkcs10CertificateRequest, key: CertificateKey): boolean {
  const alg = csr.signatureAlgorithm as { name: string; hash: { name: string } | string; saltLength?: number };
  const hash = NODE_HASH[typeof alg.hash === 'string' ? alg.hash : alg.hash.name];
  const signature = new Uint8Array(csr.signature);
  const tbs = new Uint8Array(signedPart(csr));
  try {
    if (alg.name === 'RSA-PSS') return verify(hash, tbs, { key: key.keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength ?? 20 }, signature);
    return verify(hash, tbs, alg.name === 'ECDSA' ? { key: key.keyObject, dsaEncoding: 'der' } : key.keyObject, signature);
  } catch {
    return false;
  }
}

/** The result both paths give, for comparison: the facts on acceptance, the refusal's detail otherwise. */
export type CsrOutcome = { accepted: { names: string[]; commonName: string | null; keyName: string; spki: string; mustStaple: boolean } } | { refused: string };

/** The former parseAndCheckCsr, on @peculiar/x509. */
export async function peculiarCheck(csrDer: Uint8Array, expectedNames: string[], accountKeyThumbprint?: string): Promise<CsrOutcome> {
  try {
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(Uint8Array.from(csrDer));
      void csr.extensions;
    } catch (e) {
      throw new AcmeError('badCSR', `CSR could not be parsed: ${(e as Error).message}`);
    }
    let key: CertificateKey;
    try {
      key = checkCertificateKey(new Uint8Array(csr.publicKey.rawData));
    } catch (e) {
      if (e instanceof AcmeError && e.type === 'badPublicKey') throw new AcmeError('badCSR', `CSR key refused: ${e.detail}`);
      throw e;
    }
    checkAlgorithm(csr, key.keyType);
    if (!signatureVerifies(csr, key)) throw new AcmeError('badCSR', 'CSR signature is invalid');
    const sanNames = checkExtensions(csr.extensions);
    const cns = csr.subjectName.getField('CN');
    if (cns.length > 1) throw new AcmeError('badCSR', `CSR has ${cns.length} common names; at most one is accepted`);
    const commonName = cns[0]?.toLowerCase() ?? null;
    const names = new Set(sanNames);
    if (commonName !== null) {
      if (names.size > 0 && !names.has(commonName)) throw new AcmeError('badCSR', `CSR common name ${commonName} is not one of its subject alternative names (${[...names].join(', ')})`);
      names.add(commonName);
    }
    if (names.size === 0) throw new AcmeError('badCSR', 'CSR names no DNS identifier: it has neither subjectAltName dNSNames nor a common name');
    const sorted = [...names].sort();
    const expected = new Set(expectedNames.map((n) => n.toLowerCase()));
    const missing = [...expected].filter((n) => !sorted.includes(n)).sort();
    const extra = sorted.filter((n) => !expected.has(n));
    if (missing.length || extra.length) {
      const parts = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `not in the order: ${extra.join(', ')}` : ''].filter(Boolean);
      throw new AcmeError('badCSR', `CSR names must equal the order's identifiers (${parts.join('; ')})`);
    }
    if (accountKeyThumbprint && (await calculateJwkThumbprint(key.publicKeyJwk, 'sha256')) === accountKeyThumbprint) {
      throw new AcmeError('badCSR', 'certificate public key must be different from the account key');
    }
    return { accepted: { names: sorted, commonName, keyName: key.keyName, spki: key.publicKeyDer.toString('hex'), mustStaple: false } };
  } catch (e) {
    if (e instanceof AcmeError) return { refused: e.detail };
    throw e;
  }
}

import { AcmeError } from '../domain/errors';
import { canonicalIp } from '../domain/policy/ip-identifier';
import { x509 } from './crypto';

/**
 * Extensions a CSR may request. The certificate profile is the CA's own (key usage, EKU and basic
 * constraints are set by the CA whatever the CSR says), so a request for anything else is refused
 * rather than silently dropped: the client would otherwise get a certificate it did not ask for.
 */
export const OID_SUBJECT_ALT_NAME = '2.5.29.17';
export const OID_KEY_USAGE = '2.5.29.15';
export const OID_EXTENDED_KEY_USAGE = '2.5.29.37';
export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_TLS_FEATURE = '1.3.6.1.5.5.7.1.24';
export const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

/**
 * A requested subjectKeyIdentifier is accepted and not copied: every certificate carries the one
 * the CA computes from the key (RFC 5280 §4.2.1.2 method 1), which is what such clients (Debian's
 * lacme, for one) want. Must-staple (the TLS Feature) is refused: this CA runs no OCSP responder,
 * so a must-staple certificate would be rejected by every client that enforces it.
 */
const ACCEPTED = [OID_SUBJECT_ALT_NAME, OID_KEY_USAGE, OID_EXTENDED_KEY_USAGE, OID_BASIC_CONSTRAINTS, OID_SUBJECT_KEY_IDENTIFIER, OID_TLS_FEATURE];
const ACCEPTED_LIST = 'subjectAltName, keyUsage, extendedKeyUsage, basicConstraints (CA:false) and subjectKeyIdentifier';
export const MUST_STAPLE_REFUSED =
  'CSR requests must-staple (TLS Feature status_request), which this CA does not issue: it runs no OCSP responder, so clients that enforce must-staple would reject the certificate; send the CSR without it';

/** TLS Feature value SEQUENCE { INTEGER 5 }: status_request, the only feature defined for it (RFC 7633). */
const MUST_STAPLE_VALUE = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]);

/** How each kind of general name is called in a refusal. */
const NAME_KINDS: Record<string, string> = {
  ip: 'an IP address',
  email: 'an email address',
  url: 'a URI',
  dn: 'a directory name',
  guid: 'a GUID other name',
  upn: 'a UPN other name',
  id: 'a registered ID',
};

/** The TLS Feature extension asking for must-staple, as a certificate carries it. */
export function mustStapleExtension(): x509.Extension {
  return new x509.Extension(OID_TLS_FEATURE, false, Uint8Array.from(MUST_STAPLE_VALUE));
}

export interface RequestedExtensions {
  /** Lowercased dNSNames and canonical iPAddresses of the subjectAltName, in request order, unique. */
  dnsNames: string[];
  mustStaple: boolean;
  /** Extensions to carry into the certificate unchanged. */
  copy: x509.Extension[];
}

function sanDnsNames(ext: x509.Extension): string[] {
  let san: x509.SubjectAlternativeNameExtension;
  try {
    san = new x509.SubjectAlternativeNameExtension(ext.rawData);
  } catch (e) {
    throw new AcmeError('badCSR', `CSR subjectAltName could not be parsed: ${(e as Error).message}`);
  }
  const names: string[] = [];
  for (const name of san.names.items) {
    if (name.type === 'ip') {
      // RFC 8738 §7: iPAddress entries, compared with the order's identifiers in canonical form.
      const checked = canonicalIp(name.value);
      if ('problem' in checked) throw new AcmeError('badCSR', `CSR has an unusable iPAddress subject alternative name: ${checked.problem}`);
      names.push(checked.ip);
      continue;
    }
    if (name.type !== 'dns') {
      const kind = NAME_KINDS[name.type] ?? `a ${name.type}`;
      throw new AcmeError('badCSR', `CSR has ${kind} subject alternative name (${name.value}): only dns and ip identifiers are issued`);
    }
    names.push(name.value.toLowerCase());
  }
  return [...new Set(names)];
}

function checkBasicConstraints(ext: x509.Extension): void {
  let ca: boolean;
  try {
    ca = new x509.BasicConstraintsExtension(ext.rawData).ca;
  } catch (e) {
    throw new AcmeError('badCSR', `CSR basicConstraints could not be parsed: ${(e as Error).message}`);
  }
  if (ca) throw new AcmeError('badCSR', 'CSR requests a CA certificate (basicConstraints CA:true); only CA:false is issued');
}

function checkTlsFeature(ext: x509.Extension): void {
  if (!Buffer.from(ext.value).equals(MUST_STAPLE_VALUE)) {
    throw new AcmeError('badCSR', `CSR requests a TLS Feature (${OID_TLS_FEATURE}) other than status_request (must-staple)`);
  }
}

export function checkRequestedExtensions(extensions: readonly x509.Extension[]): RequestedExtensions {
  const seen = new Set<string>();
  const result: RequestedExtensions = { dnsNames: [], mustStaple: false, copy: [] };
  for (const ext of extensions) {
    if (!ACCEPTED.includes(ext.type)) {
      throw new AcmeError('badCSR', `CSR requests extension ${ext.type}, which this CA does not issue (accepted: ${ACCEPTED_LIST})`);
    }
    if (seen.has(ext.type)) throw new AcmeError('badCSR', `CSR requests extension ${ext.type} more than once`);
    seen.add(ext.type);
    if (ext.type === OID_SUBJECT_ALT_NAME) result.dnsNames = sanDnsNames(ext);
    if (ext.type === OID_BASIC_CONSTRAINTS) checkBasicConstraints(ext);
    if (ext.type === OID_TLS_FEATURE) {
      checkTlsFeature(ext);
      throw new AcmeError('badCSR', MUST_STAPLE_REFUSED);
    }
  }
  return result;
}

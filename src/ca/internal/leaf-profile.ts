import { isIP } from 'node:net';
import { AcmeError } from '../../domain/errors';
import type { CsrExtension } from '../csr-der';
import { derBoolean, derImplicit, derNamedBits, derOctetString, derOid, derSequence } from '../der';
import type { CertificateKeyType } from '../key-policy';

/**
 * The leaf certificate profile of the internal CA: validity window and extensions. Kept apart
 * from signing so the policy reads in one place.
 */
export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** Small backdate so clients whose clock runs slightly slow accept a fresh certificate. */
export const BACKDATE_MS = 60_000;
/** Longest a common name may be (RFC 5280 ub-common-name). */
const MAX_COMMON_NAME = 64;

export interface ValidityPolicy {
  validityMs: number;
  maxValidityMs: number;
}

/**
 * notBefore: the requested start when later than now minus the backdate, else now minus the
 * backdate (never backdated further). notAfter: the earliest of the default validity, the
 * requested end, the maximum validity and the end of the issuing certificate.
 */
export function leafValidity(now: Date, requested: { notBefore?: Date | null; notAfter?: Date | null }, policy: ValidityPolicy, issuerNotAfter: Date): { notBefore: Date; notAfter: Date } {
  const earliest = now.getTime() - BACKDATE_MS;
  const start = Math.max(earliest, requested.notBefore?.getTime() ?? earliest);
  const ends = [start + policy.validityMs, start + policy.maxValidityMs, issuerNotAfter.getTime()];
  if (requested.notAfter) ends.push(requested.notAfter.getTime());
  const end = Math.min(...ends);
  if (issuerNotAfter.getTime() <= start) throw new Error(`the issuing certificate expires at ${issuerNotAfter.toISOString()}, before the certificate would start`);
  if (end <= start) {
    throw new AcmeError('malformed', `the requested validity ends (${new Date(end).toISOString()}) before it can start (${new Date(start).toISOString()})`);
  }
  return { notBefore: new Date(start), notAfter: new Date(end) };
}

/** CN = the requested common name, else the first name that fits; none when no name fits. */
export function leafCommonName(commonName: string | null, names: string[]): string | null {
  if (commonName && commonName.length <= MAX_COMMON_NAME) return commonName;
  return names.find((n) => n.length <= MAX_COMMON_NAME) ?? null;
}

export interface LeafExtensionInput {
  /** The leaf key's identifier, hex (key-policy's subjectKeyIdentifier). */
  subjectKeyId: string;
  keyType: CertificateKeyType;
  names: string[];
  /** With an empty subject the SAN must be critical (RFC 5280 §4.2.1.6). */
  subjectEmpty: boolean;
  issuerKeyId: string;
  clientAuth: boolean;
  crlUrl: string | null;
  issuerUrl: string | null;
  /** Requested extensions carried as they are (the TLS Feature). */
  copy: CsrExtension[];
}

const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const OID_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const OID_AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
/** KeyUsage named bits (RFC 5280 §4.2.1.3). */
const DIGITAL_SIGNATURE = 1 << 0;
const KEY_ENCIPHERMENT = 1 << 2;

/**
 * Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }, written
 * as DER directly (see der.ts for why): critical is left out when false, as DER requires.
 */
const extension = (extnID: string, critical: boolean, value: Uint8Array) =>
  derSequence(critical ? [derOid(extnID), derBoolean(true), derOctetString(value)] : [derOid(extnID), derOctetString(value)]);

/** GeneralName uniformResourceIdentifier [6] IA5String. */
const uri = (value: string) => derImplicit(6, Buffer.from(value, 'latin1'));

/** The address bytes of an IPv4 (4) or IPv6 (16) address in textual form. */
export function ipBytes(ip: string): Buffer {
  const version = isIP(ip);
  if (version === 4) return Buffer.from(ip.split('.').map(Number));
  if (version !== 6) throw new RangeError(`'${ip}' is not an IP address`);
  // A trailing dotted quad (::ffff:192.0.2.1) is the last two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  const text = quad ? `${ip.slice(0, quad.index)}${((+quad[1] << 8) | +quad[2]).toString(16)}:${((+quad[3] << 8) | +quad[4]).toString(16)}` : ip;
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, k) => bytes.writeUInt16BE(parseInt(g, 16), k * 2));
  return bytes;
}

/** GeneralName: iPAddress [7] for an IP identifier, else dNSName [2] IA5String. */
const generalName = (name: string) => (isIP(name) ? derImplicit(7, ipBytes(name)) : derImplicit(2, Buffer.from(name, 'latin1')));

/** The leaf's extensions, each an encoded Extension, in the order the certificate carries them. */
export function leafExtensions(i: LeafExtensionInput): Buffer[] {
  // RSA keys may also be used for key transport (TLS 1.2 RSA key exchange); ECDSA keys only sign.
  const usage = DIGITAL_SIGNATURE | (i.keyType === 'rsa' ? KEY_ENCIPHERMENT : 0);
  const eku = i.clientAuth ? [derOid(EKU_SERVER_AUTH), derOid(EKU_CLIENT_AUTH)] : [derOid(EKU_SERVER_AUTH)];
  return [
    // cA FALSE is the DEFAULT, so left out: an empty SEQUENCE.
    extension(OID_BASIC_CONSTRAINTS, true, derSequence([])),
    extension(OID_KEY_USAGE, true, derNamedBits(usage)),
    extension(OID_EXT_KEY_USAGE, false, derSequence(eku)),
    extension(OID_SUBJECT_KEY_IDENTIFIER, false, derOctetString(Buffer.from(i.subjectKeyId, 'hex'))),
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
    extension(OID_AUTHORITY_KEY_IDENTIFIER, false, derSequence([derImplicit(0, Buffer.from(i.issuerKeyId, 'hex'))])),
    extension(OID_SUBJECT_ALT_NAME, i.subjectEmpty, derSequence(i.names.map(generalName))),
    // DistributionPoint { distributionPoint [0] DistributionPointName { fullName [0] GeneralNames } }
    ...(i.crlUrl ? [extension(OID_CRL_DISTRIBUTION_POINTS, false, derSequence([derSequence([derImplicit(0, derImplicit(0, uri(i.crlUrl), true), true)])]))] : []),
    ...(i.issuerUrl ? [extension(OID_AUTHORITY_INFO_ACCESS, false, derSequence([derSequence([derOid(OID_AD_CA_ISSUERS), uri(i.issuerUrl)])]))] : []),
    ...i.copy.map((e) => extension(e.oid, e.critical, e.value)),
  ];
}

import { isIP } from 'node:net';
import { AcmeError } from '../../domain/errors';
import { x509 } from '../crypto';
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
  copy: x509.Extension[];
}

export function leafExtensions(i: LeafExtensionInput): x509.Extension[] {
  // RSA keys may also be used for key transport (TLS 1.2 RSA key exchange); ECDSA keys only sign.
  const usage = x509.KeyUsageFlags.digitalSignature | (i.keyType === 'rsa' ? x509.KeyUsageFlags.keyEncipherment : 0);
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usage, true),
    new x509.ExtendedKeyUsageExtension(i.clientAuth ? [EKU_SERVER_AUTH, EKU_CLIENT_AUTH] : [EKU_SERVER_AUTH], false),
    new x509.SubjectKeyIdentifierExtension(i.subjectKeyId),
    new x509.AuthorityKeyIdentifierExtension(i.issuerKeyId),
    new x509.SubjectAlternativeNameExtension(
      i.names.map((value) => (isIP(value) ? { type: 'ip' as const, value } : { type: 'dns' as const, value })),
      i.subjectEmpty,
    ),
    ...(i.crlUrl ? [new x509.CRLDistributionPointsExtension([i.crlUrl])] : []),
    ...(i.issuerUrl ? [new x509.AuthorityInfoAccessExtension({ caIssuers: new x509.GeneralName('url', i.issuerUrl) })] : []),
    ...i.copy,
  ];
}

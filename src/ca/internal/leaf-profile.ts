import { isIP } from 'node:net';
import { AcmeError } from '../../domain/errors';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import type { x509 } from '../crypto';
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

/** One extension, its value serialised once (the TBSCertificate carries it as it is). */
const extension = (extnID: string, critical: boolean, value: object) => new asn.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

const uri = (uniformResourceIdentifier: string) => new asn.GeneralName({ uniformResourceIdentifier });

export function leafExtensions(i: LeafExtensionInput): asn.Extension[] {
  // RSA keys may also be used for key transport (TLS 1.2 RSA key exchange); ECDSA keys only sign.
  const usage = asn.KeyUsageFlags.digitalSignature | (i.keyType === 'rsa' ? asn.KeyUsageFlags.keyEncipherment : 0);
  const names = i.names.map((value) => new asn.GeneralName(isIP(value) ? { iPAddress: value } : { dNSName: value }));
  return [
    extension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints({ cA: false })),
    extension(asn.id_ce_keyUsage, true, new asn.KeyUsage(usage)),
    extension(asn.id_ce_extKeyUsage, false, new asn.ExtendedKeyUsage(i.clientAuth ? [EKU_SERVER_AUTH, EKU_CLIENT_AUTH] : [EKU_SERVER_AUTH])),
    extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(Uint8Array.from(Buffer.from(i.subjectKeyId, 'hex')).buffer)),
    extension(asn.id_ce_authorityKeyIdentifier, false, new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(Uint8Array.from(Buffer.from(i.issuerKeyId, 'hex')).buffer) })),
    extension(asn.id_ce_subjectAltName, i.subjectEmpty, new asn.SubjectAlternativeName(names)),
    ...(i.crlUrl ? [extension(asn.id_ce_cRLDistributionPoints, false, new asn.CRLDistributionPoints([new asn.DistributionPoint({ distributionPoint: new asn.DistributionPointName({ fullName: [uri(i.crlUrl)] }) })]))] : []),
    ...(i.issuerUrl ? [extension(asn.id_pe_authorityInfoAccess, false, new asn.AuthorityInfoAccessSyntax([new asn.AccessDescription({ accessMethod: asn.id_ad_caIssuers, accessLocation: uri(i.issuerUrl) })]))] : []),
    ...i.copy.map((e) => new asn.Extension({ extnID: e.type, critical: e.critical, extnValue: new OctetString(e.value) })),
  ];
}

import ipaddr from 'ipaddr.js';
import { AcmeError } from '../domain/errors';
import { canonicalIp } from '../domain/policy/ip-identifier';
import { type CsrExtension, type NameAttribute, readName } from './csr-der';
import { DerCursor, TAG, type Tlv, contentOf, hexOf, readBitString, readBoolean, readOid, readOnly, readSmallInteger, readString } from './der-reader';

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
const NAME_KINDS: Record<Exclude<GeneralNameType, 'dns'>, string> = {
  ip: 'an IP address',
  email: 'an email address',
  url: 'a URI',
  dn: 'a directory name',
  guid: 'a GUID other name',
  upn: 'a UPN other name',
  id: 'a registered ID',
};

/** The TLS Feature extension asking for must-staple, as a certificate carries it. */
export function mustStapleExtension(): CsrExtension {
  return { oid: OID_TLS_FEATURE, critical: false, value: Uint8Array.from(MUST_STAPLE_VALUE) };
}

/*
 * Reading the values of the extensions a CSR may carry. Their structure is checked when the CSR
 * is read, before its key and signature, so a malformed one is a CSR that could not be parsed.
 */

export type GeneralNameType = 'dns' | 'ip' | 'email' | 'url' | 'dn' | 'guid' | 'upn' | 'id';

/** A general name as text: a dNSName as sent, an iPAddress in textual form, a directoryName as RFC 4514-style text. */
export interface GeneralName {
  type: GeneralNameType;
  value: string;
}

/** A requested extension with what the checks need of its value. */
export interface RequestedExtension extends CsrExtension {
  /** subjectAltName: its general names, in order. */
  names?: GeneralName[];
  /** basicConstraints: the cA flag. */
  ca?: boolean;
}

const OID_GUID = '1.3.6.1.4.1.311.25.1';
const OID_UPN = '1.3.6.1.4.1.311.20.2.3';
const GUID_REGEX = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/;
/** DirectoryString's alternatives (a UPN other name is one of them). */
const DIRECTORY_STRING_TAGS: ReadonlySet<number> = new Set([TAG.TELETEX_STRING, TAG.PRINTABLE_STRING, TAG.UNIVERSAL_STRING, TAG.UTF8_STRING, TAG.BMP_STRING]);

/** Short names of attribute types in a distinguished name's text. */
const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
  '2.5.4.42': 'G',
  '2.5.4.43': 'I',
  '2.5.4.4': 'SN',
  '2.5.4.12': 'T',
};

/** A value escaped as a refusal has always shown it: RFC 4514 specials, a leading space or #, a trailing space, the first control character. */
function escapeValue(text: string): string {
  return text
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/([ ]$)/, '\\$1')
    .replace(/([\r\n\t])/, (c) => `\\${hexOf(Buffer.from(c, 'utf8')).toUpperCase()}`);
}

/** A directoryName as text: "CN=a.example.com, O=Example", values that are no strings as #hex. */
function nameText(rdns: NameAttribute[][]): string {
  return rdns.map((rdn) => rdn.map((a) => `${ATTRIBUTE_NAMES[a.type] ?? a.type}=${a.encoded ? `#${a.text}` : escapeValue(a.text)}`).join('+')).join(', ');
}

const popCount = (bytes: Uint8Array) => bytes.reduce((n, b) => n + (b.toString(2).match(/1/g) ?? []).length, 0);

/** 4 bytes dotted, 16 in RFC 5952 form (ipaddr.js, as the IP identifiers are written). */
const addressText = (bytes: Uint8Array) => ipaddr.fromByteArray(Array.from(bytes)).toString();

/**
 * An iPAddress as text: 4 bytes dotted, 16 bytes IPv6; 8 or 32 bytes (an address and a mask, as in
 * name constraints) as address/prefix; any other length as hex. Only the first two are addresses;
 * the others are named in the refusal.
 */
function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4 || bytes.length === 16) return addressText(bytes);
  if (bytes.length === 8 || bytes.length === 32) {
    const half = bytes.length / 2;
    return `${addressText(bytes.subarray(0, half))}/${popCount(bytes.subarray(half))}`;
  }
  return hexOf(bytes);
}

/** OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }: a GUID or a UPN. */
function otherName(der: Uint8Array, tlv: Tlv): GeneralName {
  const c = DerCursor.inside(der, tlv, 'otherName');
  const typeId = readOid(der, c.next(TAG.OID, 'type-id'), 'otherName type-id');
  const wrapper = DerCursor.inside(der, c.next(0xa0, 'value'), 'otherName value');
  c.finish();
  const value = wrapper.any('value');
  wrapper.finish();
  if (typeId === OID_GUID) {
    if (value.tag !== TAG.OCTET_STRING) throw new Error('a GUID other name is not an OCTET STRING');
    const groups = GUID_REGEX.exec(hexOf(contentOf(der, value)));
    if (!groups) throw new Error('a GUID other name is not 16 bytes');
    // The first three fields are little-endian.
    const swapped = groups.slice(1).map((g, i) => (i < 3 ? (g.match(/../g) ?? []).reverse().join('') : g));
    return { type: 'guid', value: swapped.join('-') };
  }
  if (typeId === OID_UPN) {
    if (!DIRECTORY_STRING_TAGS.has(value.tag)) throw new Error('a UPN other name is not a DirectoryString');
    return { type: 'upn', value: readString(der, value, 'UPN other name') };
  }
  throw new Error(`an other name of type ${typeId} is not a general name this CA reads`);
}

/** GeneralNames ::= SEQUENCE OF GeneralName (RFC 5280 §4.2.1.6), each tag its kind. */
function readGeneralNames(value: Uint8Array): GeneralName[] {
  const c = DerCursor.inside(value, readOnly(value, TAG.SEQUENCE, 'subjectAltName'), 'subjectAltName');
  const names: GeneralName[] = [];
  while (!c.done) {
    const tlv = c.any('GeneralName');
    switch (tlv.tag) {
      case 0xa0:
        names.push(otherName(value, tlv));
        break;
      case 0x81:
        names.push({ type: 'email', value: readString(value, { ...tlv, tag: TAG.IA5_STRING }, 'rfc822Name') });
        break;
      case 0x82:
        names.push({ type: 'dns', value: readString(value, { ...tlv, tag: TAG.IA5_STRING }, 'dNSName') });
        break;
      case 0xa4: {
        const inner = DerCursor.inside(value, tlv, 'directoryName');
        const name = readName(value, inner.next(TAG.SEQUENCE, 'Name'), 'directoryName');
        inner.finish();
        names.push({ type: 'dn', value: nameText(name) });
        break;
      }
      case 0x86:
        names.push({ type: 'url', value: readString(value, { ...tlv, tag: TAG.IA5_STRING }, 'uniformResourceIdentifier') });
        break;
      case 0x87:
        names.push({ type: 'ip', value: ipText(contentOf(value, tlv)) });
        break;
      case 0x88:
        names.push({ type: 'id', value: readOid(value, { ...tlv, tag: TAG.OID }, 'registeredID') });
        break;
      default:
        throw new Error(`subjectAltName has a general name with tag 0x${tlv.tag.toString(16).padStart(2, '0')} (x400Address, ediPartyName or unknown), which this CA does not read`);
    }
  }
  return names;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }. */
function readBasicConstraints(value: Uint8Array): boolean {
  const c = DerCursor.inside(value, readOnly(value, TAG.SEQUENCE, 'basicConstraints'), 'basicConstraints');
  const caField = c.optional(TAG.BOOLEAN, 'cA');
  const ca = caField ? readBoolean(value, caField, 'basicConstraints cA') : false;
  const pathLength = c.optional(TAG.INTEGER, 'pathLenConstraint');
  if (pathLength) readSmallInteger(value, pathLength, 'basicConstraints pathLenConstraint');
  c.finish();
  return ca;
}

/** The values of the extensions the CA reads or accepts, checked for structure; others are left as bytes. */
export function readExtensionValues(extensions: readonly CsrExtension[]): RequestedExtension[] {
  return extensions.map((ext) => {
    switch (ext.oid) {
      case OID_SUBJECT_ALT_NAME:
        return { ...ext, names: readGeneralNames(ext.value) };
      case OID_BASIC_CONSTRAINTS:
        return { ...ext, ca: readBasicConstraints(ext.value) };
      case OID_KEY_USAGE:
        readBitString(ext.value, readOnly(ext.value, TAG.BIT_STRING, 'keyUsage'), 'keyUsage');
        return ext;
      case OID_EXTENDED_KEY_USAGE: {
        const c = DerCursor.inside(ext.value, readOnly(ext.value, TAG.SEQUENCE, 'extendedKeyUsage'), 'extendedKeyUsage');
        while (!c.done) readOid(ext.value, c.next(TAG.OID, 'KeyPurposeId'), 'extendedKeyUsage KeyPurposeId');
        return ext;
      }
      case OID_SUBJECT_KEY_IDENTIFIER:
        readOnly(ext.value, TAG.OCTET_STRING, 'subjectKeyIdentifier');
        return ext;
      default:
        return ext;
    }
  });
}

export interface RequestedExtensions {
  /** Lowercased dNSNames and canonical iPAddresses of the subjectAltName, in request order, unique. */
  dnsNames: string[];
  mustStaple: boolean;
  /** Extensions to carry into the certificate unchanged. */
  copy: CsrExtension[];
}

function sanDnsNames(san: readonly GeneralName[]): string[] {
  const names: string[] = [];
  for (const name of san) {
    if (name.type === 'ip') {
      // RFC 8738 §7: iPAddress entries, compared with the order's identifiers in canonical form.
      const checked = canonicalIp(name.value);
      if ('problem' in checked) throw new AcmeError('badCSR', `CSR has an unusable iPAddress subject alternative name: ${checked.problem}`);
      names.push(checked.ip);
      continue;
    }
    if (name.type !== 'dns') {
      throw new AcmeError('badCSR', `CSR has ${NAME_KINDS[name.type]} subject alternative name (${name.value}): only dns and ip identifiers are issued`);
    }
    names.push(name.value.toLowerCase());
  }
  return [...new Set(names)];
}

function checkTlsFeature(ext: CsrExtension): void {
  if (!Buffer.from(ext.value.buffer, ext.value.byteOffset, ext.value.byteLength).equals(MUST_STAPLE_VALUE)) {
    throw new AcmeError('badCSR', `CSR requests a TLS Feature (${OID_TLS_FEATURE}) other than status_request (must-staple)`);
  }
}

export function checkRequestedExtensions(extensions: readonly RequestedExtension[]): RequestedExtensions {
  const seen = new Set<string>();
  const result: RequestedExtensions = { dnsNames: [], mustStaple: false, copy: [] };
  for (const ext of extensions) {
    if (!ACCEPTED.includes(ext.oid)) {
      throw new AcmeError('badCSR', `CSR requests extension ${ext.oid}, which this CA does not issue (accepted: ${ACCEPTED_LIST})`);
    }
    if (seen.has(ext.oid)) throw new AcmeError('badCSR', `CSR requests extension ${ext.oid} more than once`);
    seen.add(ext.oid);
    if (ext.names) result.dnsNames = sanDnsNames(ext.names);
    if (ext.ca) throw new AcmeError('badCSR', 'CSR requests a CA certificate (basicConstraints CA:true); only CA:false is issued');
    if (ext.oid === OID_TLS_FEATURE) {
      checkTlsFeature(ext);
      throw new AcmeError('badCSR', MUST_STAPLE_REFUSED);
    }
  }
  return result;
}

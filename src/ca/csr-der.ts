import { DerCursor, TAG, type Tlv, bytesOf, contentOf, hexOf, readBitString, readBoolean, readNull, readOid, readOnly, readSmallInteger, readString, STRING_TAGS } from './der-reader';

/*
 * The finalize CSR read directly from its DER (PKCS#10, RFC 2986):
 *
 *   CertificationRequest ::= SEQUENCE {
 *     certificationRequestInfo SEQUENCE {
 *       version INTEGER { v1(0) }, subject Name, subjectPKInfo SubjectPublicKeyInfo,
 *       attributes [0] IMPLICIT SET OF Attribute },
 *     signatureAlgorithm AlgorithmIdentifier,
 *     signature BIT STRING }
 *
 * Only what the CSR checks use is turned into values: the bytes the signature covers, the key, the
 * signature algorithm, the subject's common names and the requested extensions. The rest is
 * walked and its structure checked. test/unit/ca/csr-der.spec.ts keeps @peculiar/x509 as the
 * oracle for what this reads.
 */

/** An extension as requested: extnValue is the content of its OCTET STRING. */
export interface CsrExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/**
 * The signature algorithm in WebCrypto's terms: name (ECDSA, RSASSA-PKCS1-v1_5, RSA-PSS, another
 * algorithm's name, or the OID when unknown), the hash (null when the algorithm names none) and,
 * for RSA-PSS, the salt length.
 */
export interface CsrSignatureAlgorithm {
  oid: string;
  name: string;
  hash: string | null;
  saltLength?: number;
}

/** One AttributeTypeAndValue of a Name: the value as text, or (any other type) its DER in hex. */
export interface NameAttribute {
  type: string;
  /** The string's text; for a value that is no character string, the lowercase hex of its DER (empty for NULL). */
  text: string;
  /** True when the value is no character string (shown as #hex in a distinguished name). */
  encoded: boolean;
}

export interface CsrDer {
  /** certificationRequestInfo exactly as sent: what the signature covers. */
  info: Uint8Array;
  /** subjectPKInfo, DER. */
  spki: Uint8Array;
  signatureAlgorithm: CsrSignatureAlgorithm;
  /** The signature BIT STRING's bytes (DER ECDSA-Sig-Value for ECDSA). */
  signature: Uint8Array;
  /** The subject's common names (2.5.4.3), in order. */
  commonNames: string[];
  /** The extensionRequest's extensions, in order. */
  extensions: CsrExtension[];
}

const OID_COMMON_NAME = '2.5.4.3';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_CHALLENGE_PASSWORD = '1.2.840.113549.1.9.7';
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
const OID_MGF1 = '1.2.840.113549.1.1.8';

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

/** Signature algorithms by OID, named as WebCrypto (and @peculiar/x509) name them. */
const SIGNATURE_ALGORITHMS: Record<string, { name: string; hash: string | null }> = {
  '1.2.840.10045.4.1': { name: 'ECDSA', hash: 'SHA-1' },
  '1.2.840.10045.4.3.2': { name: 'ECDSA', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { name: 'ECDSA', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { name: 'ECDSA', hash: 'SHA-512' },
  '1.2.840.10045.2.1': { name: 'ECDSA', hash: null },
  '1.2.840.113549.1.1.1': { name: 'RSASSA-PKCS1-v1_5', hash: null },
  '1.2.840.113549.1.1.5': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
  '1.2.840.113549.1.1.11': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' },
  '1.3.101.110': { name: 'X25519', hash: null },
  '1.3.101.111': { name: 'ECDH-ES', hash: null },
  '1.3.101.112': { name: 'Ed25519', hash: null },
  '1.3.101.113': { name: 'EdDSA', hash: null },
  '2.16.840.1.101.3.4.3.17': { name: 'ML-DSA-44', hash: null },
  '2.16.840.1.101.3.4.3.18': { name: 'ML-DSA-65', hash: null },
  '2.16.840.1.101.3.4.3.19': { name: 'ML-DSA-87', hash: null },
  '2.16.840.1.101.3.4.3.20': { name: 'SLH-DSA-SHA2-128s', hash: null },
  '2.16.840.1.101.3.4.3.21': { name: 'SLH-DSA-SHA2-128f', hash: null },
  '2.16.840.1.101.3.4.3.22': { name: 'SLH-DSA-SHA2-192s', hash: null },
  '2.16.840.1.101.3.4.3.23': { name: 'SLH-DSA-SHA2-192f', hash: null },
  '2.16.840.1.101.3.4.3.24': { name: 'SLH-DSA-SHA2-256s', hash: null },
  '2.16.840.1.101.3.4.3.25': { name: 'SLH-DSA-SHA2-256f', hash: null },
  '2.16.840.1.101.3.4.3.26': { name: 'SLH-DSA-SHAKE-128s', hash: null },
  '2.16.840.1.101.3.4.3.27': { name: 'SLH-DSA-SHAKE-128f', hash: null },
  '2.16.840.1.101.3.4.3.28': { name: 'SLH-DSA-SHAKE-192s', hash: null },
  '2.16.840.1.101.3.4.3.29': { name: 'SLH-DSA-SHAKE-192f', hash: null },
  '2.16.840.1.101.3.4.3.30': { name: 'SLH-DSA-SHAKE-256s', hash: null },
  '2.16.840.1.101.3.4.3.31': { name: 'SLH-DSA-SHAKE-256f', hash: null },
};

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }. */
function readAlgorithm(der: Uint8Array, tlv: Tlv, what: string): { oid: string; parameters: Tlv | null } {
  const c = DerCursor.inside(der, tlv, what);
  const oid = readOid(der, c.next(TAG.OID, 'algorithm'), `${what} algorithm`);
  const parameters = c.done ? null : c.any('parameters');
  c.finish();
  return { oid, parameters };
}

/** Parameters that must be absent or NULL (the hashes, ECDSA and RSA PKCS#1 v1.5). */
function noParameters(parameters: Tlv | null, what: string): void {
  if (parameters) readNull(parameters, `${what} parameters`);
}

/** A hash AlgorithmIdentifier inside RSASSA-PSS-params; an unknown hash is named by its OID. */
function readHash(der: Uint8Array, tlv: Tlv, what: string): string {
  const { oid, parameters } = readAlgorithm(der, tlv, what);
  noParameters(parameters, what);
  return HASHES[oid] ?? oid;
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1): hashAlgorithm [0], maskGenAlgorithm [1], saltLength [2],
 * trailerField [3], each EXPLICIT and each with its default (SHA-1, MGF1 with SHA-1, 20, 1) when
 * absent, as when the parameters are absent altogether.
 */
function readPssParameters(der: Uint8Array, parameters: Tlv | null): { hash: string; saltLength: number } {
  if (!parameters) return { hash: 'SHA-1', saltLength: 20 };
  const what = 'RSASSA-PSS parameters';
  if (parameters.tag !== TAG.SEQUENCE) throw new Error(`${what} at offset ${parameters.start} are not a SEQUENCE`);
  const c = DerCursor.inside(der, parameters, what);
  // Each field is EXPLICIT: its one element sits inside the [n] wrapper.
  const field = <T>(tag: number, name: string, read: (inner: DerCursor) => T): T | null => {
    const wrapper = c.optional(tag, name);
    if (!wrapper) return null;
    const inner = DerCursor.inside(der, wrapper, `${what} ${name}`);
    const value = read(inner);
    inner.finish();
    return value;
  };
  const hash = field(0xa0, 'hashAlgorithm', (inner) => readHash(der, inner.next(TAG.SEQUENCE, 'AlgorithmIdentifier'), `${what} hashAlgorithm`)) ?? 'SHA-1';
  field(0xa1, 'maskGenAlgorithm', (inner) => {
    const mgf = readAlgorithm(der, inner.next(TAG.SEQUENCE, 'AlgorithmIdentifier'), `${what} maskGenAlgorithm`);
    if (mgf.oid !== OID_MGF1) throw new Error(`${what} name mask generation function ${mgf.oid}; only MGF1 (${OID_MGF1}) is defined`);
    if (!mgf.parameters || mgf.parameters.tag !== TAG.SEQUENCE) throw new Error(`${what}: MGF1 parameters are not a hash AlgorithmIdentifier`);
    readHash(der, mgf.parameters, `${what} MGF1 hash`);
  });
  const saltLength = field(0xa2, 'saltLength', (inner) => readSmallInteger(der, inner.next(TAG.INTEGER, 'INTEGER'), `${what} saltLength`)) ?? 20;
  field(0xa3, 'trailerField', (inner) => readSmallInteger(der, inner.next(TAG.INTEGER, 'INTEGER'), `${what} trailerField`));
  c.finish();
  return { hash, saltLength };
}

function readSignatureAlgorithm(der: Uint8Array, tlv: Tlv): CsrSignatureAlgorithm {
  const what = 'signatureAlgorithm';
  const { oid, parameters } = readAlgorithm(der, tlv, what);
  if (oid === OID_RSASSA_PSS) return { oid, name: 'RSA-PSS', ...readPssParameters(der, parameters) };
  const known = SIGNATURE_ALGORITHMS[oid];
  if (!known) return { oid, name: oid, hash: null };
  if (known.hash) noParameters(parameters, what);
  return { oid, ...known };
}

/** An AttributeTypeAndValue's value: a character string as text; anything else as its DER in hex. */
function readNameValue(der: Uint8Array, tlv: Tlv, what: string): { text: string; encoded: boolean } {
  if (STRING_TAGS.has(tlv.tag)) return { text: readString(der, tlv, what), encoded: false };
  if (tlv.tag === TAG.NULL) {
    readNull(tlv, what);
    return { text: '', encoded: false };
  }
  return { text: hexOf(bytesOf(der, tlv)), encoded: true };
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF SEQUENCE { type OID, value ANY }). */
export function readName(der: Uint8Array, tlv: Tlv, what: string): NameAttribute[][] {
  if (tlv.tag !== TAG.SEQUENCE) throw new Error(`${what} at offset ${tlv.start} is not a SEQUENCE`);
  const rdns: NameAttribute[][] = [];
  const c = DerCursor.inside(der, tlv, what);
  while (!c.done) {
    const rdn = DerCursor.inside(der, c.next(TAG.SET, 'RelativeDistinguishedName'), `${what} RelativeDistinguishedName`);
    const attributes: NameAttribute[] = [];
    while (!rdn.done) {
      const atv = DerCursor.inside(der, rdn.next(TAG.SEQUENCE, 'AttributeTypeAndValue'), `${what} AttributeTypeAndValue`);
      const type = readOid(der, atv.next(TAG.OID, 'type'), `${what} attribute type`);
      const value = readNameValue(der, atv.any('value'), `${what} attribute ${type}`);
      atv.finish();
      attributes.push({ type, ...value });
    }
    rdns.push(attributes);
  }
  return rdns;
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }. */
function checkSpki(der: Uint8Array, tlv: Tlv): void {
  const c = DerCursor.inside(der, tlv, 'subjectPKInfo');
  readAlgorithm(der, c.next(TAG.SEQUENCE, 'algorithm'), 'subjectPKInfo algorithm');
  readBitString(der, c.next(TAG.BIT_STRING, 'subjectPublicKey'), 'subjectPKInfo subjectPublicKey');
  c.finish();
}

/** Extensions ::= SEQUENCE OF Extension { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function readExtensions(der: Uint8Array, tlv: Tlv): CsrExtension[] {
  const what = 'extensionRequest';
  if (tlv.tag !== TAG.SEQUENCE) throw new Error(`${what} value at offset ${tlv.start} is not a SEQUENCE of extensions`);
  const extensions: CsrExtension[] = [];
  const c = DerCursor.inside(der, tlv, what);
  while (!c.done) {
    const e = DerCursor.inside(der, c.next(TAG.SEQUENCE, 'Extension'), `${what} Extension`);
    const oid = readOid(der, e.next(TAG.OID, 'extnID'), `${what} extnID`);
    const criticalField = e.optional(TAG.BOOLEAN, 'critical');
    // An explicit FALSE is not DER (it is the DEFAULT), but it means what leaving it out means.
    const critical = criticalField ? readBoolean(der, criticalField, `${what} extension ${oid} critical`) : false;
    const value = contentOf(der, e.next(TAG.OCTET_STRING, 'extnValue'));
    e.finish();
    extensions.push({ oid, critical, value });
  }
  return extensions;
}

/**
 * attributes [0] IMPLICIT SET OF Attribute { type OID, values SET OF ANY }. extensionRequest must
 * come once with one value; challengePassword's value must be a DirectoryString; other attributes
 * are walked and left alone.
 */
function readAttributes(der: Uint8Array, tlv: Tlv): CsrExtension[] {
  let extensions: CsrExtension[] | null = null;
  const c = DerCursor.inside(der, tlv, 'attributes');
  while (!c.done) {
    const attribute = DerCursor.inside(der, c.next(TAG.SEQUENCE, 'Attribute'), 'Attribute');
    const type = readOid(der, attribute.next(TAG.OID, 'type'), 'Attribute type');
    const values = DerCursor.inside(der, attribute.next(TAG.SET, 'values'), `Attribute ${type} values`);
    attribute.finish();
    const items: Tlv[] = [];
    while (!values.done) items.push(values.any('value'));
    if (type === OID_EXTENSION_REQUEST) {
      if (extensions) throw new Error('the CSR has more than one extensionRequest attribute');
      if (items.length !== 1) throw new Error(`the extensionRequest attribute has ${items.length} values; it takes exactly one`);
      extensions = readExtensions(der, items[0]);
    } else if (type === OID_CHALLENGE_PASSWORD && items.length > 0) {
      if (!STRING_TAGS.has(items[0].tag) || items[0].tag === TAG.IA5_STRING) throw new Error(`the challengePassword attribute at offset ${items[0].start} is not a DirectoryString`);
      readString(der, items[0], 'challengePassword');
    }
  }
  return extensions ?? [];
}

/** Reads a CSR; throws an Error naming the first malformation. */
export function readCsr(der: Uint8Array): CsrDer {
  const outer = DerCursor.inside(der, readOnly(der, TAG.SEQUENCE, 'CertificationRequest'), 'CertificationRequest');
  const infoTlv = outer.next(TAG.SEQUENCE, 'certificationRequestInfo');
  const signatureAlgorithm = readSignatureAlgorithm(der, outer.next(TAG.SEQUENCE, 'signatureAlgorithm'));
  const signatureBits = readBitString(der, outer.next(TAG.BIT_STRING, 'signature'), 'signature');
  outer.finish();
  if (signatureBits.unusedBits !== 0) throw new Error(`the signature BIT STRING has ${signatureBits.unusedBits} unused bits`);

  const info = DerCursor.inside(der, infoTlv, 'certificationRequestInfo');
  const versionTlv = info.next(TAG.INTEGER, 'version');
  const version = readSmallInteger(der, versionTlv, 'version');
  if (version !== 0) throw new Error(`the CSR version is ${version}; PKCS#10 defines only v1 (0)`);
  const subject = readName(der, info.next(TAG.SEQUENCE, 'subject'), 'subject');
  const spkiTlv = info.next(TAG.SEQUENCE, 'subjectPKInfo');
  checkSpki(der, spkiTlv);
  // PKCS#10 requires the attributes field (an empty SET when there are none); some encoders leave
  // it out, and such CSRs were accepted before, so it is read as optional.
  const attributes = info.optional(0xa0, 'attributes');
  const extensions = attributes ? readAttributes(der, attributes) : [];
  info.finish();

  const commonNames: string[] = [];
  for (const rdn of subject) for (const a of rdn) if (a.type === OID_COMMON_NAME) commonNames.push(a.text);
  return { info: bytesOf(der, infoTlv), spki: bytesOf(der, spkiTlv), signatureAlgorithm, signature: signatureBits.bytes, commonNames, extensions };
}

import { KeyObject, sign } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { NODE_HASH, x509 } from '../crypto';
import { derBitString, derChild, derExplicit, derFirstChild, derOid, derPrintableString, derSequence, derSet, derTime, derUnsignedInteger, derUtf8String } from '../der';

export interface LeafToSign {
  /** Hex of a positive serial (randomSerial). */
  serial: string;
  /** The subject's common name; null for an empty subject (the SAN then carries the names, critical). */
  commonName: string | null;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo, DER. */
  publicKeyDer: Uint8Array;
  /** Each an encoded Extension (leafExtensions), in order. */
  extensions: Uint8Array[];
}

export interface SignedLeaf {
  der: Buffer;
  pem: string;
  /** The validity as encoded: whole seconds. */
  notBefore: Date;
  notAfter: Date;
}

const wholeSeconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

const OID_COMMON_NAME = '2.5.4.3';
/** [0] EXPLICIT Version v3 (INTEGER 2). */
const VERSION_V3 = derExplicit(0, Buffer.from([0x02, 0x01, 0x02]));
const EMPTY_NAME = derSequence([]);

/**
 * Name ::= SEQUENCE { SET { SEQUENCE { id-at-commonName, value } } }, the value a PrintableString
 * when every character allows it and a UTF8String otherwise: the encoding x509.Name chose for
 * [{ CN: [cn] }] (certificates issued before and after this must not differ). A value x509.Name
 * would read specially (a leading '#' is hex, quotes are stripped) goes through it as before.
 */
function commonNameDer(cn: string): Uint8Array {
  if (cn.startsWith('#') || cn.includes('"')) return new Uint8Array(new x509.Name([{ CN: [cn] }]).toArrayBuffer());
  const value = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(cn) ? derPrintableString(cn) : derUtf8String(cn);
  return derSequence([derSet([derSequence([derOid(OID_COMMON_NAME), value])])]);
}

/** The subject Name of a certificate as its exact bytes (the issuer field of what it signs). */
function subjectDer(certificate: Uint8Array): Buffer {
  const tbs = derFirstChild(certificate);
  // TBSCertificate: [0] version (absent in v1), serialNumber, signature, issuer, validity, subject.
  const versioned = derChild(tbs, 0)[0] === 0xa0;
  return Buffer.from(derChild(tbs, versioned ? 5 : 4));
}

function pem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Signs leaf certificates with the intermediate key. The issuer's name, signature algorithm and
 * key are prepared once; each certificate is then one TBSCertificate written as DER from the leaf
 * profile's encoded extensions, one signature and a few concatenations. (The generic generator of
 * @peculiar/x509 parses every extension, name and the finished certificate back again and signs
 * through WebCrypto, which made it the larger part of issuing; building the TBSCertificate as an
 * asn1-schema object graph was still about 60% of what remained, hence the direct DER.)
 */
export class LeafSigner {
  private constructor(
    private readonly key: KeyObject,
    private readonly hash: string,
    private readonly ecdsa: boolean,
    /** AlgorithmIdentifier, DER: the TBSCertificate's signature field and the certificate's signatureAlgorithm. */
    private readonly algorithmDer: Buffer,
    /** The intermediate's subject Name as its certificate carries it. */
    private readonly issuerDer: Buffer,
  ) {}

  static create(signingKey: CryptoKey, signingAlgorithm: Algorithm, intermediate: x509.X509Certificate): LeafSigner {
    // The same algorithm the generic generator derives: the key's own parameters win.
    const merged = { hash: 'SHA-256', ...signingAlgorithm, ...signingKey.algorithm } as Algorithm & { hash: string | { name: string } };
    const hashName = typeof merged.hash === 'string' ? merged.hash : merged.hash.name;
    const hash = NODE_HASH[hashName];
    if (!hash) throw new Error(`the intermediate key signs with ${hashName}, which the CA does not support`);
    const algorithmDer = Buffer.from(AsnConvert.serialize(new x509.AlgorithmProvider().toAsnAlgorithm(merged as never)));
    const issuerDer = subjectDer(new Uint8Array(intermediate.rawData));
    return new LeafSigner(KeyObject.from(signingKey), hash, merged.name === 'ECDSA', algorithmDer, issuerDer);
  }

  sign(leaf: LeafToSign): SignedLeaf {
    const notBefore = wholeSeconds(leaf.notBefore);
    const notAfter = wholeSeconds(leaf.notAfter);
    // TBSCertificate ::= SEQUENCE { [0] version, serialNumber, signature, issuer, validity, subject,
    //   subjectPublicKeyInfo, [3] extensions }
    const tbsDer = derSequence([
      VERSION_V3,
      derUnsignedInteger(Buffer.from(leaf.serial, 'hex')),
      this.algorithmDer,
      this.issuerDer,
      derSequence([derTime(notBefore), derTime(notAfter)]),
      leaf.commonName === null ? EMPTY_NAME : commonNameDer(leaf.commonName),
      leaf.publicKeyDer,
      derExplicit(3, derSequence(leaf.extensions)),
    ]);
    // ECDSA-Sig-Value in DER is what the certificate's signature BIT STRING holds.
    const signature = sign(this.hash, tbsDer, this.ecdsa ? { key: this.key, dsaEncoding: 'der' } : this.key);
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }:
    // the TBSCertificate goes in as the very bytes that were signed.
    const der = derSequence([tbsDer, this.algorithmDer, derBitString(signature)]);
    return { der, pem: pem(der), notBefore, notAfter };
  }
}

import { KeyObject, sign } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { NODE_HASH, x509 } from '../crypto';
import { derBitString, derSequence } from '../der';

export interface LeafToSign {
  /** Hex of a positive serial (randomSerial). */
  serial: string;
  /** null for an empty subject (the SAN then carries the names, critical). */
  subject: x509.Name | null;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo, DER. */
  publicKeyDer: Uint8Array;
  extensions: asn.Extension[];
}

export interface SignedLeaf {
  der: Buffer;
  pem: string;
  /** The validity as encoded: whole seconds. */
  notBefore: Date;
  notAfter: Date;
}

const wholeSeconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

function pem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Signs leaf certificates with the intermediate key. The issuer's name, signature algorithm and
 * key are prepared once; each certificate is then one TBSCertificate built from the leaf
 * profile's extensions as they are, one signature and one serialisation. (The generic generator
 * of @peculiar/x509 parses every extension, name and the finished certificate back again and signs
 * through WebCrypto, which made it the larger part of issuing.)
 */
export class LeafSigner {
  private constructor(
    private readonly key: KeyObject,
    private readonly hash: string,
    private readonly ecdsa: boolean,
    private readonly algorithm: asn.AlgorithmIdentifier,
    private readonly issuer: asn.Name,
    private readonly algorithmDer = new Uint8Array(AsnConvert.serialize(algorithm)),
  ) {}

  static create(signingKey: CryptoKey, signingAlgorithm: Algorithm, intermediate: x509.X509Certificate): LeafSigner {
    // The same algorithm the generic generator derives: the key's own parameters win.
    const merged = { hash: 'SHA-256', ...signingAlgorithm, ...signingKey.algorithm } as Algorithm & { hash: string | { name: string } };
    const hashName = typeof merged.hash === 'string' ? merged.hash : merged.hash.name;
    const hash = NODE_HASH[hashName];
    if (!hash) throw new Error(`the intermediate key signs with ${hashName}, which the CA does not support`);
    const algorithm = new x509.AlgorithmProvider().toAsnAlgorithm(merged as never);
    const issuer = AsnConvert.parse(intermediate.subjectName.toArrayBuffer(), asn.Name);
    return new LeafSigner(KeyObject.from(signingKey), hash, merged.name === 'ECDSA', algorithm, issuer);
  }

  sign(leaf: LeafToSign): SignedLeaf {
    const notBefore = wholeSeconds(leaf.notBefore);
    const notAfter = wholeSeconds(leaf.notAfter);
    const tbs = new asn.TBSCertificate({
      version: asn.Version.v3,
      serialNumber: Uint8Array.from(Buffer.from(leaf.serial, 'hex')).buffer,
      signature: this.algorithm,
      issuer: this.issuer,
      validity: new asn.Validity({ notBefore, notAfter }),
      subject: leaf.subject ? AsnConvert.parse(leaf.subject.toArrayBuffer(), asn.Name) : new asn.Name(),
      subjectPublicKeyInfo: AsnConvert.parse(leaf.publicKeyDer, asn.SubjectPublicKeyInfo),
      extensions: new asn.Extensions(leaf.extensions),
    });
    const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
    // ECDSA-Sig-Value in DER is what the certificate's signature BIT STRING holds.
    const signature = sign(this.hash, tbsDer, this.ecdsa ? { key: this.key, dsaEncoding: 'der' } : this.key);
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }:
    // the TBSCertificate goes in as the very bytes that were signed.
    const der = derSequence([tbsDer, this.algorithmDer, derBitString(signature)]);
    return { der, pem: pem(der), notBefore, notAfter };
  }
}

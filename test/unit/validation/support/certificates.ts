import { KeyObject, webcrypto } from 'node:crypto';
import { x509 } from '../../../../src/ca/crypto';
import { ACME_IDENTIFIER_OID, expectedAcmeIdentifier } from '../../../../src/validation/acme-tls-certificate';

export interface ValidationCertificateSpec {
  /** subjectAltName entries: "dns:name" or "ip:address". */
  names: string[];
  /** The key authorization whose digest goes into acmeIdentifier; absent: no extension. */
  keyAuthorization?: string;
  /** Raw extension value instead of the DER of the digest. */
  extensionValue?: Buffer;
  critical?: boolean;
}

let keys: CryptoKeyPair | undefined;

async function keyPair(): Promise<CryptoKeyPair> {
  keys ??= (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return keys;
}

/** A self-signed certificate as a tls-alpn-01 responder presents it (RFC 8737 §3), in PEM. */
export async function validationCertificate(spec: ValidationCertificateSpec): Promise<{ key: string; cert: string }> {
  const pair = await keyPair();
  const extensions: x509.Extension[] = [
    new x509.SubjectAlternativeNameExtension(spec.names.map((n) => ({ type: n.split(':')[0] as 'dns' | 'ip', value: n.slice(n.indexOf(':') + 1) }))),
  ];
  const value = spec.extensionValue ?? (spec.keyAuthorization !== undefined ? expectedAcmeIdentifier(spec.keyAuthorization) : undefined);
  if (value) extensions.push(new x509.Extension(ACME_IDENTIFIER_OID, spec.critical ?? true, new Uint8Array(value)));
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=ACME tls-alpn-01 test',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    keys: pair,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions,
  });
  const key = KeyObject.from(pair.privateKey as unknown as webcrypto.CryptoKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key, cert: cert.toString('pem') };
}

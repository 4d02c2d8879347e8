import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { x509 } from '../ca/crypto';
import { AcmeError } from '../domain/errors';
import { keyAuthorizationDigest } from './key-authorization';

/** id-pe-acmeIdentifier (RFC 8737 §6.1). */
export const ACME_IDENTIFIER_OID = '1.3.6.1.5.5.7.1.31';

/** What the certificate showed, for the validation record. */
export interface AcmeTlsCertificateFacts {
  sha256: string;
  names: string[];
  /** The acmeIdentifier extension value in hex, when present. */
  acmeIdentifier?: string;
}

/**
 * The extension value RFC 8737 §3 requires: the DER encoding of an OCTET STRING holding the
 * 32-byte SHA-256 digest of the key authorization (tag 0x04, length 0x20, digest).
 */
export function expectedAcmeIdentifier(keyAuthorization: string): Buffer {
  return Buffer.concat([Buffer.from([0x04, 0x20]), keyAuthorizationDigest(keyAuthorization)]);
}

function sameAddress(a: string, b: string): boolean {
  try {
    return ipaddr.parse(a).toString() === ipaddr.parse(b).toString();
  } catch {
    return false;
  }
}

/**
 * Checks the certificate a tls-alpn-01 responder presented (RFC 8737 §3): exactly one
 * subjectAltName entry, the dNSName being validated; a critical acmeIdentifier extension whose
 * value is the expected digest. Structural faults are `unauthorized` (this is not a validation
 * certificate); a well-formed certificate for another key authorization is `incorrectResponse`,
 * like a wrong http-01 body or dns-01 TXT value. `facts` is filled as the checks go.
 */
export function checkAcmeTlsCertificate(der: Buffer, domain: string, keyAuthorization: string, where: string, facts: Partial<AcmeTlsCertificateFacts> = {}): AcmeTlsCertificateFacts {
  facts.sha256 = createHash('sha256').update(der).digest('hex');
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(new Uint8Array(der));
  } catch (e) {
    throw new AcmeError('tls', `The tls-alpn-01 certificate from ${where} could not be parsed: ${(e as Error).message}`);
  }
  const prefix = `Incorrect validation certificate for tls-alpn-01 challenge from ${where} for ${domain}:`;

  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items.map((n) => `${n.type}:${n.value}`) ?? [];
  facts.names = names;
  if (!san) throw new AcmeError('unauthorized', `${prefix} it has no subjectAltName extension`);
  const only = san.names.items.length === 1 ? san.names.items[0] : undefined;
  // An IP identifier is an iPAddress entry (RFC 8738 §6), compared as an address.
  const ip = isIP(domain) !== 0;
  const matches = only && (ip ? only.type === 'ip' && sameAddress(only.value, domain) : only.type === 'dns' && only.value.toLowerCase() === domain.toLowerCase());
  if (!matches) {
    throw new AcmeError('unauthorized', `${prefix} its subjectAltName must hold exactly one entry, the ${ip ? 'iPAddress' : 'dNSName'} ${domain} (got ${names.join(', ') || 'none'})`);
  }

  const found = cert.extensions.filter((e) => e.type === ACME_IDENTIFIER_OID);
  if (found.length === 0) throw new AcmeError('unauthorized', `${prefix} it has no acmeIdentifier extension (${ACME_IDENTIFIER_OID})`);
  if (found.length > 1) throw new AcmeError('unauthorized', `${prefix} it has ${found.length} acmeIdentifier extensions`);
  const [extension] = found;
  const value = Buffer.from(extension.value);
  facts.acmeIdentifier = value.toString('hex');
  if (!extension.critical) throw new AcmeError('unauthorized', `${prefix} its acmeIdentifier extension is not marked critical`);
  if (value.length !== 34 || value[0] !== 0x04 || value[1] !== 0x20) {
    throw new AcmeError('unauthorized', `${prefix} its acmeIdentifier extension is not a DER OCTET STRING of 32 bytes (got ${value.toString('hex')})`);
  }
  const expected = expectedAcmeIdentifier(keyAuthorization);
  if (!value.equals(expected)) {
    throw new AcmeError(
      'incorrectResponse',
      `The acmeIdentifier extension of the tls-alpn-01 certificate from ${where} did not match this challenge. Expected ${expected.subarray(2).toString('hex')} (got ${value.subarray(2).toString('hex')})`,
    );
  }
  return facts as AcmeTlsCertificateFacts;
}

import { AcmeError, type Identifier } from '../errors';

/**
 * ACME Renewal Information (RFC 9773). A certificate is named by its certID: base64url of its
 * Authority Key Identifier's keyIdentifier, ".", base64url of its serial's DER INTEGER content.
 */
export interface CertId {
  /** Lowercase hex of the AKI keyIdentifier. */
  akiHex: string;
  /** Lowercase hex of the serial, leading zero bytes kept as in the certificate. */
  serialHex: string;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

export function parseCertId(certId: unknown): CertId {
  if (typeof certId !== 'string') throw new AcmeError('malformed', 'a certID must be a string: base64url(AKI keyIdentifier) "." base64url(serial)');
  const parts = certId.split('.');
  if (parts.length !== 2 || !parts.every((p) => B64URL.test(p))) {
    throw new AcmeError('malformed', `certID ${JSON.stringify(certId).slice(0, 100)} is not base64url(AKI keyIdentifier) "." base64url(serial) (RFC 9773 §4.1)`);
  }
  const [aki, serial] = parts.map((p) => Buffer.from(p, 'base64url').toString('hex'));
  if (aki.length === 0 || serial.length === 0) throw new AcmeError('malformed', 'certID has an empty key identifier or serial');
  return { akiHex: aki, serialHex: serial };
}

export const formatCertId = (id: CertId): string => `${Buffer.from(id.akiHex, 'hex').toString('base64url')}.${Buffer.from(id.serialHex, 'hex').toString('base64url')}`;

export interface RenewalWindow {
  start: string;
  end: string;
}

const HOUR_MS = 3_600_000;

/**
 * The window a client should renew in: an admin's "renew now" (recorded on the certificate)
 * wins; a revoked certificate should be replaced at once; otherwise the first half of the last
 * third of the validity, so a renewal still has time to be retried before expiry.
 */
export function suggestedWindow(cert: { notBefore: string; notAfter: string; revoked: unknown; renewal?: { window: RenewalWindow } | null }, now: Date): RenewalWindow {
  if (cert.renewal) return cert.renewal.window;
  if (cert.revoked) return pastWindow(now);
  const notBefore = new Date(cert.notBefore).getTime();
  const notAfter = new Date(cert.notAfter).getTime();
  const validity = notAfter - notBefore;
  return { start: new Date(notAfter - validity / 3).toISOString(), end: new Date(notAfter - validity / 6).toISOString() };
}

/** A window that has already begun and ended: clients that read it renew right away. */
export const pastWindow = (now: Date): RenewalWindow => ({ start: new Date(now.getTime() - 2 * HOUR_MS).toISOString(), end: new Date(now.getTime() - HOUR_MS).toISOString() });

export interface ReplacedCertificate {
  certificateId: string;
  /** The RFC 9773 certID the order named. */
  certId: string;
  accountId: string;
  names: string[];
  /** An order (not invalid) that already names this certificate in `replaces`. */
  replacedByOrderId: string | null;
}

/**
 * newOrder's `replaces` (RFC 9773 §5): the certificate must be this account's, share at least one
 * identifier with the new order, and not be replaced already by a live order (409 alreadyReplaced).
 */
export function checkReplacement(replaced: ReplacedCertificate, accountId: string, identifiers: Identifier[]): void {
  if (replaced.accountId !== accountId) throw new AcmeError('unauthorized', `certificate ${replaced.certificateId} was not issued to this account, so this order cannot replace it`);
  const values = new Set(identifiers.map((i) => i.value));
  if (!replaced.names.some((n) => values.has(n))) {
    throw new AcmeError('malformed', `the order shares no identifier with the certificate it replaces (${replaced.names.join(', ')})`);
  }
  if (replaced.replacedByOrderId) {
    throw new AcmeError('alreadyReplaced', `certificate ${replaced.certificateId} is already replaced by order ${replaced.replacedByOrderId}`, [], { reason: { kind: 'conflict' } });
  }
}

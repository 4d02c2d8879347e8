import type { DecideContext } from '../decider';
import { AcmeError } from '../errors';
import { type DomainEvent, event, type EventDataByType, type RevokedBy } from '../events';
import { pastWindow } from '../policy/renewal-info';
import { revocationBlocksKey, revocationReasonFor } from '../revocation';
import type { CertificateState } from './state';

export { REVOCATION_REASONS } from '../revocation';

export type CertificateCommand =
  | { type: 'RecordCertificate'; certificate: EventDataByType['CertificateIssued'] }
  /** `actor` is the account that asked (null for a request signed by the certificate key). */
  | { type: 'RevokeCertificate'; reason: unknown; by: RevokedBy; actor: string | null; keySpkiSha256?: string | null }
  | { type: 'SendExpirationWarning'; thresholdsDays: number[]; contacts: string[] }
  | { type: 'RequestRenewal'; reason: string; actor: string };

export function decideCertificate(state: CertificateState | null, command: CertificateCommand, ctx: DecideContext): DomainEvent[] {
  if (command.type === 'RecordCertificate') {
    if (state) throw new AcmeError('serverInternal', `certificate ${state.certificateId} is already recorded`);
    return [event('CertificateIssued', command.certificate)];
  }
  if (!state) throw new AcmeError('malformed', 'no such certificate', [], { reason: { kind: 'notFound' } });
  switch (command.type) {
    case 'RevokeCertificate':
      return decideRevoke(state, command.reason, command.by, command.actor, command.keySpkiSha256 ?? null);
    case 'SendExpirationWarning':
      return decideExpirationWarning(state, command.thresholdsDays, ctx.now, command.contacts);
    case 'RequestRenewal':
      return decideRequestRenewal(state, command.reason, command.actor, ctx.now);
  }
}

/**
 * revokeCert (RFC 8555 §7.6): a reason allowed to the requester (BR 7.2.2, default 0), and only
 * once. When the revocation proves a key compromise, the event names the key (SHA-256 of its
 * SubjectPublicKeyInfo, given by the caller) so that it is blocked for future requests.
 */
export function decideRevoke(state: CertificateState, reason: unknown, by: RevokedBy, actor: string | null, keySpkiSha256: string | null = null): DomainEvent[] {
  const code = revocationReasonFor(reason, by);
  if (state.revoked) throw new AcmeError('alreadyRevoked', `certificate ${state.serial} is already revoked`);
  const blockedKeySpkiSha256 = revocationBlocksKey(code, by) && keySpkiSha256 ? keySpkiSha256 : undefined;
  return [event('CertificateRevoked', { serial: state.serial, reason: code, by, actor, ...(blockedKeySpkiSha256 ? { blockedKeySpkiSha256 } : {}) })];
}

/**
 * Incident response: an admin moves the certificate's ARI window into the past so its client
 * renews at the next check. Refused for a revoked or expired certificate (nothing to renew early).
 */
export function decideRequestRenewal(state: CertificateState, reason: string, actor: string, now: Date): DomainEvent[] {
  if (!reason.trim()) throw new AcmeError('malformed', 'an early renewal request needs a reason');
  if (state.revoked) throw new AcmeError('malformed', `certificate ${state.serial} is revoked`, [], { reason: { kind: 'conflict' } });
  if (new Date(state.notAfter) <= now) throw new AcmeError('malformed', `certificate ${state.serial} has expired`, [], { reason: { kind: 'conflict' } });
  return [event('CertificateRenewalRequested', { reason, actor, window: pastWindow(now) })];
}

const DAY_MS = 86_400_000;

/**
 * The expiration warning due now, if any: the nearest threshold the certificate has crossed, sent
 * once. A certificate found late gets only that nearest threshold, never the earlier ones; revoked
 * and expired certificates get none, and neither does a threshold as long as the certificate's
 * whole lifetime (a two-day certificate is not "expiring in 7 days" the moment it is issued).
 */
export function decideExpirationWarning(state: CertificateState, thresholds: number[], now: Date, contacts: string[]): DomainEvent[] {
  if (state.revoked) return [];
  const remainingMs = new Date(state.notAfter).getTime() - now.getTime();
  if (remainingMs <= 0) return [];
  const lifetimeMs = new Date(state.notAfter).getTime() - new Date(state.notBefore).getTime();
  const crossed = thresholds.filter((t) => t * DAY_MS < lifetimeMs && remainingMs <= t * DAY_MS);
  if (crossed.length === 0) return [];
  const nearest = Math.min(...crossed);
  if (state.warned.some((w) => w <= nearest)) return [];
  return [event('ExpirationWarningSent', { thresholdDays: nearest, notAfter: state.notAfter, contacts, names: state.names })];
}

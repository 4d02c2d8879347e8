import { AcmeError } from './errors';
import { type DomainEvent, event, type EventDataByType } from './events';

/** The certificate aggregate: issued once, revoked at most once. */
export type CertificateState = EventDataByType['CertificateIssued'] & {
  revoked: { reason: number; at: string | null } | null;
  /** Expiration warning thresholds (days) already sent. */
  warned: number[];
};

export function evolveCertificate(state: CertificateState | null, e: DomainEvent, recordedAt?: Date): CertificateState | null {
  switch (e.type) {
    case 'CertificateIssued':
      return { ...e.data, revoked: null, warned: [] };
    case 'ExpirationWarningSent':
      return state && { ...state, warned: [...state.warned, e.data.thresholdDays] };
    case 'CertificateRevoked':
      return state && { ...state, revoked: { reason: e.data.reason, at: recordedAt?.toISOString() ?? null } };
    default:
      return state;
  }
}

/** RFC 5280 CRL reason codes a client may give (§7.6 of RFC 8555); 7 is unused, 8 is removeFromCRL (CRL-only). */
export const REVOCATION_REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

export function decideRevoke(
  state: CertificateState,
  reason: unknown,
  by: EventDataByType['CertificateRevoked']['by'],
  actor: string | null,
): DomainEvent[] {
  const code = reason === undefined ? 0 : reason;
  if (typeof code !== 'number' || !Number.isInteger(code) || !(code in REVOCATION_REASONS)) {
    throw new AcmeError('badRevocationReason', `revocation reason ${JSON.stringify(reason)} is not allowed; use one of ${Object.keys(REVOCATION_REASONS).join(', ')}`);
  }
  if (state.revoked) throw new AcmeError('alreadyRevoked', `certificate ${state.serial} is already revoked`);
  return [event('CertificateRevoked', { serial: state.serial, reason: code, by, actor })];
}

const DAY_MS = 86_400_000;

/**
 * The expiration warning due now, if any: the nearest threshold the certificate has crossed, sent
 * once. A certificate found late gets only that nearest threshold, never the earlier ones; revoked
 * and expired certificates get none.
 */
export function decideExpirationWarning(state: CertificateState, thresholds: number[], now: Date, contacts: string[]): DomainEvent[] {
  if (state.revoked) return [];
  const remainingMs = new Date(state.notAfter).getTime() - now.getTime();
  if (remainingMs <= 0) return [];
  const crossed = thresholds.filter((t) => remainingMs <= t * DAY_MS);
  if (crossed.length === 0) return [];
  const nearest = Math.min(...crossed);
  if (state.warned.some((w) => w <= nearest)) return [];
  return [event('ExpirationWarningSent', { thresholdDays: nearest, notAfter: state.notAfter, contacts, names: state.names })];
}

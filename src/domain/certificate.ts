import { AcmeError } from './errors';
import { type DomainEvent, event, type EventDataByType } from './events';

/** The certificate aggregate: issued once, revoked at most once. */
export type CertificateState = EventDataByType['CertificateIssued'] & { revoked: { reason: number; at: string | null } | null };

export function evolveCertificate(state: CertificateState | null, e: DomainEvent, recordedAt?: Date): CertificateState | null {
  switch (e.type) {
    case 'CertificateIssued':
      return { ...e.data, revoked: null };
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

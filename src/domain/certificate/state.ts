import { assertStreamEvent, type DomainEvent, type EventDataByType, requireCreated, StreamIntegrityError } from '../events';

/** The certificate aggregate (stream `cert-<id>`): issued once, revoked at most once. */
export type CertificateState = EventDataByType['CertificateIssued'] & {
  /** `at` is when the revocation was recorded (the event store's time), when the caller knows it. */
  revoked: { reason: number; at: string | null } | null;
  /** Expiration warning thresholds (days) already sent. */
  warned: number[];
  /** An admin's early renewal request (ARI window in the past), when there was one. */
  renewal: { reason: string; window: { start: string; end: string } } | null;
};

export const initialCertificateState: CertificateState | null = null;

export function evolveCertificate(state: CertificateState | null, e: DomainEvent, recordedAt?: Date): CertificateState | null {
  assertStreamEvent('cert', e);
  if (e.type === 'CertificateIssued') {
    if (state) throw new StreamIntegrityError(`certificate ${state.certificateId} is issued twice`);
    return { ...e.data, revoked: null, warned: [], renewal: null };
  }
  const s = requireCreated(state, e);
  switch (e.type) {
    case 'ExpirationWarningSent':
      return { ...s, warned: [...s.warned, e.data.thresholdDays] };
    case 'CertificateRenewalRequested':
      return { ...s, renewal: { reason: e.data.reason, window: e.data.window } };
    case 'CertificateRevoked':
      return { ...s, revoked: { reason: e.data.reason, at: recordedAt?.toISOString() ?? null } };
  }
}

import { assertStreamEvent, type DomainEvent, type EventDataByType, requireCreated, StreamIntegrityError } from '../events';

/** The certificate aggregate (stream `cert-<id>`): issued once, revoked at most once. */
export type CertificateState = EventDataByType['CertificateIssued'] & {
  /** `at` is when the revocation was recorded (the event store's time), when the caller knows it. */
  revoked: { reason: number; at: string | null } | null;
  /** Expiration warning thresholds (days) already sent. */
  warned: number[];
};

export const initialCertificateState: CertificateState | null = null;

export function evolveCertificate(state: CertificateState | null, e: DomainEvent, recordedAt?: Date): CertificateState | null {
  assertStreamEvent('cert', e);
  if (e.type === 'CertificateIssued') {
    if (state) throw new StreamIntegrityError(`certificate ${state.certificateId} is issued twice`);
    return { ...e.data, revoked: null, warned: [] };
  }
  const s = requireCreated(state, e);
  switch (e.type) {
    case 'ExpirationWarningSent':
      return { ...s, warned: [...s.warned, e.data.thresholdDays] };
    case 'CertificateRevoked':
      return { ...s, revoked: { reason: e.data.reason, at: recordedAt?.toISOString() ?? null } };
  }
}

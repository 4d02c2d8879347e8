import type { DecideContext, Decider } from '../decider';
import { type CertificateCommand, decideCertificate } from './decide';
import { type CertificateState, evolveCertificate, initialCertificateState } from './state';

export * from './decide';
export * from './state';

export const certificateDecider: Decider<CertificateState | null, CertificateCommand, DecideContext> = {
  initialState: initialCertificateState,
  evolve: evolveCertificate,
  decide: decideCertificate,
};

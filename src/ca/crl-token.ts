import type { CrlBuilder, CrlSettings } from './crl-builder';

/** What the health check needs to know about the CRL: absent when CRLs are disabled. */
export interface CrlStatus {
  builder: CrlBuilder;
  settings: CrlSettings;
  startedAt: Date;
}

export const CRL_STATUS = Symbol('certledger.crl-status');

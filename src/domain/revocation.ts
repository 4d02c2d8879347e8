import { AcmeError } from './errors';

/**
 * CRL reason codes of RFC 5280 §5.3.1 a revocation request may give (RFC 8555 §7.6). Code 7 is
 * unassigned; 8 (removeFromCRL) only has meaning in delta CRLs but is a defined code.
 */
export const REVOCATION_REASONS: Readonly<Record<number, string>> = {
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

export const isRevocationReason = (code: unknown): code is number =>
  typeof code === 'number' && Number.isInteger(code) && Object.prototype.hasOwnProperty.call(REVOCATION_REASONS, code);

/** The reason a request gives, 0 (unspecified) when it gives none; badRevocationReason otherwise. */
export function parseRevocationReason(reason: unknown): number {
  const code = reason === undefined ? 0 : reason;
  if (!isRevocationReason(code)) {
    const allowed = Object.entries(REVOCATION_REASONS).map(([c, n]) => `${c} (${n})`).join(', ');
    throw new AcmeError('badRevocationReason', `revocation reason ${JSON.stringify(reason)} is not allowed; use one of ${allowed}`);
  }
  return code;
}

export const revocationReasonName = (code: number): string => REVOCATION_REASONS[code] ?? `unknown(${code})`;

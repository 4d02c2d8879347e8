import { AcmeError } from './errors';
import type { RevokedBy } from './events/types';

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

/**
 * CA/Browser Forum BR 7.2.2: the reasons a subscriber (the issuing account, an account holding
 * authorizations for every name, or the holder of the certificate key) may give. The others
 * (cACompromise, certificateHold, removeFromCRL, privilegeWithdrawn, aACompromise) are the CA's.
 */
export const SUBSCRIBER_REVOCATION_REASONS: readonly number[] = [0, 1, 3, 4, 5];
export const KEY_COMPROMISE = 1;

const named = (codes: readonly number[]) => codes.map((c) => `${c} (${revocationReasonName(c)})`).join(', ');

/**
 * The reason recorded for a revocation requested by `by`: admins may give any defined reason,
 * subscribers only the BR 7.2.2 ones. A request signed by the certificate key proves that whoever
 * holds the key can act with it, so it is recorded as keyCompromise (unspecified is read as that;
 * any other reason is refused rather than silently changed).
 */
export function revocationReasonFor(reason: unknown, by: RevokedBy): number {
  const code = parseRevocationReason(reason);
  if (by === 'admin') return code;
  if (!SUBSCRIBER_REVOCATION_REASONS.includes(code)) {
    throw new AcmeError('badRevocationReason', `revocation reason ${code} (${revocationReasonName(code)}) is reserved to the CA; subscribers may use ${named(SUBSCRIBER_REVOCATION_REASONS)}`);
  }
  if (by === 'certificate-key') {
    if (code !== 0 && code !== KEY_COMPROMISE) {
      throw new AcmeError('badRevocationReason', `a revocation signed by the certificate key is a key compromise: use reason 1 (keyCompromise) or none, not ${code} (${revocationReasonName(code)})`);
    }
    return KEY_COMPROMISE;
  }
  return code;
}

/** A key is blocked for future certificates (and accounts) when its compromise is proven or asserted by the CA. */
export const revocationBlocksKey = (code: number, by: RevokedBy): boolean => code === KEY_COMPROMISE && (by === 'certificate-key' || by === 'admin');

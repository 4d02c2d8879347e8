import { isPast } from '../decider';
import type { AuthorizationState } from './state';

export type AuthorizationStatus = AuthorizationState['status'];

/**
 * RFC 8555 §7.1.6: a pending or valid authorization past its `expires` is expired, whether or
 * not cleanup has recorded it yet; the other statuses are final.
 */
export function authorizationStatus(s: AuthorizationState, now: Date): AuthorizationStatus {
  if ((s.status === 'pending' || s.status === 'valid') && isPast(s.expires, now)) return 'expired';
  return s.status;
}

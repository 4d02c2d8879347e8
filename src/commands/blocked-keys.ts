import { findBlockingSerial } from '../../projections/blocked-keys/queries';
import type { Db } from '../db/db';
import { spkiSha256 } from '../ca/spki';
import { AcmeError, type AcmeErrorType } from '../domain/errors';

/**
 * Refuses a key whose compromise a revocation proved (rm_blocked_keys): as badCSR for a finalize
 * CSR, as badPublicKey for an account key.
 */
export async function assertKeyNotBlocked(db: Db, spkiDer: Uint8Array, type: Extract<AcmeErrorType, 'badCSR' | 'badPublicKey'>): Promise<void> {
  const serial = await findBlockingSerial(db, spkiSha256(spkiDer));
  if (serial !== null) {
    throw new AcmeError(type, `this public key is blocked: certificate ${serial} was revoked because the key is compromised; generate a new key`);
  }
}

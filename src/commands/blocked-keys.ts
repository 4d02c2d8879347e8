import { findBlockingSerial } from '../../projections/blocked-keys/queries';
import type { Db } from '../db/db';
import { spkiSha256 } from '../ca/spki';
import { AcmeError, type AcmeErrorType } from '../domain/errors';

/** What the request's first statement already read of rm_blocked_keys for a key (see `blockingSerialRead`). */
export interface KnownBlocking {
  spkiSha256: string;
  serial: string | null;
}

/**
 * Refuses a key whose compromise a revocation proved (rm_blocked_keys): as badCSR for a finalize
 * CSR, as badPublicKey for an account key. `known`, read for the same key with the request's nonce,
 * saves the lookup; for another key (a CSR whose key encoding was not the canonical one) it is read.
 */
export async function assertKeyNotBlocked(db: Db, spkiDer: Uint8Array, type: Extract<AcmeErrorType, 'badCSR' | 'badPublicKey'>, known?: KnownBlocking): Promise<void> {
  const hash = spkiSha256(spkiDer);
  const serial = known?.spkiSha256 === hash ? known.serial : await findBlockingSerial(db, hash);
  if (serial !== null) {
    throw new AcmeError(type, `this public key is blocked: certificate ${serial} was revoked because the key is compromised; generate a new key`);
  }
}

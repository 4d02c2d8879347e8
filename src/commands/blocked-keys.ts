import type { Pool } from 'pg';
import { spkiSha256 } from '../ca/spki';
import { AcmeError, type AcmeErrorType } from '../domain/errors';

/**
 * Refuses a key whose compromise a revocation proved (rm_blocked_keys): as badCSR for a finalize
 * CSR, as badPublicKey for an account key.
 */
export async function assertKeyNotBlocked(pool: Pool, spkiDer: Uint8Array, type: Extract<AcmeErrorType, 'badCSR' | 'badPublicKey'>): Promise<void> {
  const r = await pool.query('SELECT serial FROM rm_blocked_keys WHERE spki_sha256 = $1', [spkiSha256(spkiDer)]);
  if (r.rowCount) {
    throw new AcmeError(type, `this public key is blocked: certificate ${r.rows[0].serial} was revoked because the key is compromised; generate a new key`);
  }
}

import type { Db } from './db';

/**
 * The HMAC keys of External Account Binding (eab_secrets). They live outside the event history on
 * purpose: a secret in an event would be in every export and replay.
 */
export async function saveEabSecret(db: Db, keyId: string, hmacKey: Uint8Array): Promise<void> {
  await db.query('INSERT INTO eab_secrets (key_id, hmac_key) VALUES ($1, $2)', [keyId, hmacKey]);
}

/** The key's HMAC secret, or null for a key id never created. */
export async function findEabSecret(db: Db, keyId: string): Promise<Uint8Array | null> {
  const r = await db.query('SELECT hmac_key FROM eab_secrets WHERE key_id = $1', [keyId]);
  return r.rowCount ? new Uint8Array(r.rows[0].hmac_key) : null;
}

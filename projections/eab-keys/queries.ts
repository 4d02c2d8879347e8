import type { Db } from '../../src/db/db';

/** Every EAB key as the admin API lists it (never its secret), oldest first. */
export async function listEabKeys(db: Db): Promise<Array<Record<string, unknown>>> {
  return (await db.query('SELECT key_id, allowed_identifiers, note, created_at, created_by, revoked_at, bound_account_id FROM rm_eab_keys ORDER BY created_at, key_id')).rows;
}

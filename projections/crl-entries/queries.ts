import type { Db } from '../../src/db/db';

/** How many serials are revoked and when the last revocation was: a CRL built from other figures is stale. */
export async function crlEntryStats(db: Db): Promise<{ count: number; lastRevokedAt: Date | null }> {
  const r = await db.query('SELECT count(*)::int AS n, max(revoked_at) AS last FROM rm_crl_entries');
  return { count: r.rows[0].n, lastRevokedAt: r.rows[0].last };
}

/** Every revoked serial with its date and reason, in revocation order: the CRL's entries. */
export async function listCrlEntries(db: Db): Promise<Array<{ serial: string; revokedAt: Date; reason: number }>> {
  const r = await db.query('SELECT serial, revoked_at, reason FROM rm_crl_entries ORDER BY revoked_at, serial');
  return r.rows.map((e) => ({ serial: e.serial, revokedAt: e.revoked_at, reason: e.reason }));
}

import type { Db } from '../../src/db/db';

/** The serial of the revoked certificate that blocked this key (SPKI SHA-256, hex), or null. */
export async function findBlockingSerial(db: Db, spkiSha256: string): Promise<string | null> {
  const r = await db.query('SELECT serial FROM rm_blocked_keys WHERE spki_sha256 = $1', [spkiSha256]);
  return r.rowCount ? (r.rows[0].serial as string) : null;
}

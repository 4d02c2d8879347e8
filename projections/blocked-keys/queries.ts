import type { Db, SqlPart } from '../../src/db/db';

/**
 * The serial of the revoked certificate that blocked this key (SPKI SHA-256, hex), or null, as a
 * scalar expression for a statement of the caller's (a finalize reads it with its nonce and key).
 */
export function blockingSerialRead(spkiSha256: string): SqlPart {
  return { params: [spkiSha256], sql: (first) => `(SELECT serial FROM rm_blocked_keys WHERE spki_sha256 = $${first})` };
}

/** The serial of the revoked certificate that blocked this key (SPKI SHA-256, hex), or null. */
export async function findBlockingSerial(db: Db, spkiSha256: string): Promise<string | null> {
  const read = blockingSerialRead(spkiSha256);
  const r = await db.query(`SELECT ${read.sql(1)} AS serial`, read.params);
  return (r.rows[0]?.serial as string | null | undefined) ?? null;
}

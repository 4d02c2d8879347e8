import type { Db } from '../../src/db/db';

/** The id of the certificate with this serial (hex; leading zeros ignored on both sides), or null. */
export async function findCertificateIdBySerial(db: Db, serialHex: string): Promise<string | null> {
  const r = await db.query('SELECT certificate_id FROM rm_certificates WHERE ltrim(serial, $2) = $1', [serialHex.replace(/^0+(?=.)/, ''), '0']);
  return r.rowCount ? (r.rows[0].certificate_id as string) : null;
}

export interface ExpiringCertificate {
  certificateId: string;
  accountId: string;
  issuedAt: Date;
  /** The account's contacts now. */
  contact: string[];
}

/**
 * Unrevoked certificates expiring within `maxDays` of `now` not yet warned at `minDays` or below,
 * skipping those renewed (the account has a newer unrevoked certificate for the same names);
 * one page by certificate id, after `afterId`.
 */
export async function findCertificatesToWarn(
  db: Db,
  q: { now: Date; maxDays: number; minDays: number; afterId: string; limit: number },
): Promise<ExpiringCertificate[]> {
  const r = await db.query(
    `SELECT c.certificate_id, c.account_id, c.issued_at, a.contact
     FROM rm_certificates c JOIN rm_accounts a ON a.account_id = c.account_id
     WHERE c.revoked_at IS NULL AND c.not_after > $1 AND c.not_after <= $1 + make_interval(days => $2)
       AND (c.warned_threshold IS NULL OR c.warned_threshold > $3)
       AND c.certificate_id > $4
       AND NOT EXISTS (SELECT 1 FROM rm_certificates n
                       WHERE n.account_id = c.account_id AND n.names = c.names AND n.issued_at > c.issued_at AND n.revoked_at IS NULL)
     ORDER BY c.certificate_id LIMIT $5`,
    [q.now, q.maxDays, q.minDays, q.afterId, q.limit],
  );
  return r.rows.map((row) => ({ certificateId: row.certificate_id, accountId: row.account_id, issuedAt: new Date(row.issued_at), contact: row.contact as string[] }));
}

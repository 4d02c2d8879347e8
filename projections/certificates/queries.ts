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

/** Filters of the admin certificate search; each one given narrows the result. */
export interface CertificateSearch {
  name?: string;
  nameContains?: string;
  serial?: string;
  account?: string;
  status?: 'valid' | 'revoked' | 'expired';
  expiringBefore?: Date | string;
  issuedAfter?: Date | string;
  issuedBefore?: Date | string;
}

/** One page of certificates matching `f` in issue order, after the (issued_at, certificate_id) cursor when given. */
export async function searchCertificates(
  db: Db,
  f: CertificateSearch,
  after: readonly unknown[] | null,
  limit: number,
  now: Date,
): Promise<Array<Record<string, unknown>>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.name) add('? = ANY(names)', f.name.toLowerCase());
  if (f.nameContains) add('EXISTS (SELECT 1 FROM unnest(names) n WHERE strpos(n, ?) > 0)', f.nameContains.toLowerCase());
  if (f.serial) add("ltrim(serial, '0') = ltrim(lower(?), '0')", f.serial);
  if (f.account) add('account_id = ?', f.account);
  if (f.status === 'revoked') where.push('revoked_at IS NOT NULL');
  if (f.status === 'valid') add('revoked_at IS NULL AND not_after > ?', now);
  if (f.status === 'expired') add('revoked_at IS NULL AND not_after <= ?', now);
  if (f.expiringBefore) add('not_after < ?', f.expiringBefore);
  if (f.issuedAfter) add('issued_at >= ?', f.issuedAfter);
  if (f.issuedBefore) add('issued_at < ?', f.issuedBefore);
  if (after) {
    params.push(after[0], after[1]);
    where.push(`(issued_at, certificate_id) > ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(limit);
  const r = await db.query(
    `SELECT certificate_id, serial, account_id, order_id, names, not_before, not_after, fingerprint_sha256, key_type, issued_at, revoked_at, revocation_reason
     FROM rm_certificates ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY issued_at, certificate_id LIMIT $${params.length}`,
    params,
  );
  return r.rows;
}

/** Certificates issued since `from`, per UTC day ('YYYY-MM-DD'); days without any are absent. */
export async function countIssuedPerDay(db: Db, from: Date): Promise<Map<string, number>> {
  const r = await db.query(
    `SELECT to_char(issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM rm_certificates WHERE issued_at >= $1 GROUP BY 1`,
    [from],
  );
  return new Map(r.rows.map((x) => [x.day as string, x.n as number]));
}

/** Unrevoked certificates still valid at `now` whose notAfter falls before `before`. */
export async function countExpiringBetween(db: Db, now: Date, before: Date): Promise<number> {
  const r = await db.query('SELECT count(*)::int AS n FROM rm_certificates WHERE revoked_at IS NULL AND not_after > $1 AND not_after < $2', [now, before]);
  return r.rows[0].n as number;
}

/** A selection of certificates by account, name and serial (each optional; serial hex, leading zeros ignored). */
export interface CertificateSelection {
  account?: string;
  name?: string;
  serial?: string;
}

/** Ids of the unrevoked certificates matching `s`, by id; with `unexpiredOnly`, only those still valid now. */
export async function selectUnrevokedCertificates(db: Db, s: CertificateSelection, unexpiredOnly: boolean): Promise<string[]> {
  const r = await db.query(
    `SELECT certificate_id FROM rm_certificates WHERE revoked_at IS NULL ${unexpiredOnly ? 'AND not_after > now()' : ''}
       AND ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR $2 = ANY(names)) AND ($3::text IS NULL OR ltrim(serial, '0') = ltrim(lower($3), '0'))
     ORDER BY certificate_id`,
    [s.account ?? null, s.name?.toLowerCase() ?? null, s.serial ?? null],
  );
  return r.rows.map((x) => x.certificate_id as string);
}

/** Certificates issued in [from, to), with the authorizations of the order each came from (null when the order is unknown). */
export async function findIssuedBetween(
  db: Db,
  from: Date,
  to: Date,
): Promise<Array<{ serial: string; accountId: string; issuedAt: Date; notAfter: Date; names: string[]; authorizationIds: string[] | null }>> {
  const r = await db.query(
    `SELECT c.serial, c.account_id, c.issued_at, c.not_after, c.names, o.authorization_ids
     FROM rm_certificates c LEFT JOIN rm_orders o ON o.order_id = c.order_id
     WHERE c.issued_at >= $1 AND c.issued_at < $2 ORDER BY c.issued_at, c.serial`,
    [from, to],
  );
  return r.rows.map((row) => ({ serial: row.serial, accountId: row.account_id, issuedAt: row.issued_at, notAfter: row.not_after, names: row.names, authorizationIds: row.authorization_ids }));
}

/** Certificates revoked in [from, to), in revocation order. */
export async function findRevokedBetween(db: Db, from: Date, to: Date): Promise<Array<{ serial: string; accountId: string; revokedAt: Date; reason: number }>> {
  const r = await db.query(
    `SELECT serial, account_id, revoked_at, revocation_reason FROM rm_certificates WHERE revoked_at >= $1 AND revoked_at < $2 ORDER BY revoked_at, serial`,
    [from, to],
  );
  return r.rows.map((row) => ({ serial: row.serial, accountId: row.account_id, revokedAt: row.revoked_at, reason: row.revocation_reason }));
}

/** Unrevoked certificates still valid now that expire within 7, 14 and 30 days (the metrics gauge). */
export async function countExpiringWithin(db: Db): Promise<{ d7: number; d14: number; d30: number }> {
  const q = await db.query(
    `SELECT count(*) FILTER (WHERE not_after < now() + interval '30 days') AS d30,
            count(*) FILTER (WHERE not_after < now() + interval '14 days') AS d14,
            count(*) FILTER (WHERE not_after < now() + interval '7 days') AS d7
     FROM rm_certificates WHERE revoked_at IS NULL AND not_after > now()`,
  );
  return { d7: Number(q.rows[0].d7), d14: Number(q.rows[0].d14), d30: Number(q.rows[0].d30) };
}

import type { Db, SqlPart } from '../../src/db/db';
import { overrideCountSql } from '../rate-limit-overrides/queries';

/**
 * Valid authorizations of the account for these names (`*` before a wildcard's base name),
 * validated after `validatedAfter`: one per name, the one expiring last, as one jsonb object from
 * name to authorization id, so it can travel in a statement of the caller's (a newOrder reads it
 * with its nonce and account key). `reusableFound` reads the value.
 */
export function reusableAuthorizationsRead(accountId: string, keys: string[], now: Date, validatedAfter: Date): SqlPart {
  return {
    params: [accountId, keys, now, validatedAfter],
    sql: (first) => `(SELECT coalesce(jsonb_object_agg(r.key, r.authz_id), '{}'::jsonb) FROM (
       SELECT DISTINCT ON (identifier, wildcard) (CASE WHEN wildcard THEN '*' ELSE '' END || identifier) AS key, authz_id FROM rm_authorizations
       WHERE account_id = $${first}::text AND (CASE WHEN wildcard THEN '*' ELSE '' END || identifier) = ANY($${first + 1}::text[]) AND status = 'valid'
         AND expires > $${first + 2}::timestamptz AND validated_at > $${first + 3}::timestamptz
       ORDER BY identifier, wildcard, expires DESC) r)`,
  };
}

/** The value of `reusableAuthorizationsRead`: authorization id by name. */
export function reusableFound(value: unknown): Map<string, string> {
  return new Map(Object.entries((value ?? {}) as Record<string, string>));
}

/** `reusableAuthorizationsRead` as a statement of its own. */
export async function findReusableAuthorizations(db: Db, accountId: string, keys: string[], now: Date, validatedAfter: Date): Promise<Map<string, string>> {
  const read = reusableAuthorizationsRead(accountId, keys, now, validatedAfter);
  const r = await db.query(`SELECT ${read.sql(1)} AS found`, read.params);
  return reusableFound(r.rows[0]?.found);
}

/** Whether the account holds a valid, unexpired authorization for this name. */
export async function hasValidAuthorization(db: Db, accountId: string, identifier: string, wildcard: boolean, now: Date): Promise<boolean> {
  const r = await db.query(
    `SELECT 1 FROM rm_authorizations WHERE account_id = $1 AND identifier = $2 AND wildcard = $3 AND status = 'valid' AND expires > $4 LIMIT 1`,
    [accountId, identifier, wildcard, now],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Pending authorizations past their expiry, oldest first (cleanup records their expiry). */
export async function findExpiredPendingAuthorizations(db: Db, now: Date, limit: number): Promise<string[]> {
  const r = await db.query(`SELECT authz_id FROM rm_authorizations WHERE status = 'pending' AND expires <= $1 ORDER BY expires LIMIT $2`, [now, limit]);
  return r.rows.map((row) => row.authz_id as string);
}

/** One page of authorizations matching the filters, in creation order, after the (created_at, authz_id) cursor when given. */
export async function searchAuthorizations(
  db: Db,
  f: { account?: string; identifier?: string; status?: string },
  after: readonly unknown[] | null,
  limit: number,
): Promise<Array<Record<string, unknown>>> {
  const r = await db.query(
    `SELECT authz_id, account_id, identifier, wildcard, status, expires, validated_at, created_at FROM rm_authorizations
     WHERE ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR identifier = lower($2)) AND ($3::text IS NULL OR status = $3)
       AND ($4::timestamptz IS NULL OR (created_at, authz_id) > ($4, $5))
     ORDER BY created_at, authz_id LIMIT $6`,
    [f.account ?? null, f.identifier ?? null, f.status ?? null, after?.[0] ?? null, after?.[1] ?? '', limit],
  );
  return r.rows;
}

/**
 * The account's pending, unexpired authorizations and its ceiling (its override of
 * pending_authorizations_per_account, else `defaultCeiling`), in one statement.
 */
export async function pendingAuthorizationsAndCeiling(db: Db, accountId: string, defaultCeiling: number): Promise<{ ceiling: number; pending: number }> {
  const r = await db.query(
    `SELECT coalesce(${overrideCountSql('pending_authorizations_per_account', 1)}, $2::integer) AS ceiling,
            (SELECT count(*) FROM rm_authorizations WHERE account_id = $1 AND status = 'pending' AND expires > now())::integer AS pending`,
    [accountId, defaultCeiling],
  );
  return r.rows[0];
}

import type { Db, SqlPart } from '../../src/db/db';

/** One page of accounts in creation order, after the (created_at, account_id) cursor when given. */
export async function listAccounts(db: Db, after: readonly unknown[] | null, limit: number): Promise<Array<Record<string, unknown>>> {
  const r = await db.query(
    `SELECT account_id, thumbprint, status, contact, eab_key_id, created_at, updated_at FROM rm_accounts
     WHERE ($1::timestamptz IS NULL OR (created_at, account_id) > ($1, $2)) ORDER BY created_at, account_id LIMIT $3`,
    [after?.[0] ?? null, after?.[1] ?? '', limit],
  );
  return r.rows;
}

/** Accounts created in [from, to), in creation order, with the EAB key each was bound with. */
export async function findAccountsCreatedBetween(db: Db, from: Date, to: Date): Promise<Array<{ accountId: string; createdAt: Date; eabKeyId: string | null }>> {
  const r = await db.query(`SELECT account_id, created_at, eab_key_id FROM rm_accounts WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, account_id`, [from, to]);
  return r.rows.map((row) => ({ accountId: row.account_id, createdAt: row.created_at, eabKeyId: row.eab_key_id }));
}

/**
 * What a request signed with an account URL needs: the account's key and status. With `redeem`,
 * the request's nonce is redeemed in the same statement (its `fresh` says whether it was unused);
 * `alongside`, scalar expressions of the caller's (the streams the request will decide on, a CSR
 * key's blocking), are evaluated in it too and come back as they are, in order, so a request costs
 * one round trip before it writes.
 */
export async function accountKeyLookup(
  db: Db,
  accountId: string,
  redeem: { sql: string; params: unknown[] } | null,
  alongside: readonly SqlPart[] = [],
): Promise<{ account: { jwk: Record<string, unknown>; status: string; eabKeyId: string | null } | null; fresh: boolean | null; alongside: unknown[] }> {
  const params: unknown[] = [...(redeem?.params ?? []), accountId];
  const idParam = `$${params.length}`;
  let extra = '';
  for (const [i, part] of alongside.entries()) {
    extra += `, ${part.sql(params.length + 1)} AS alongside${i}`;
    params.push(...part.params);
  }
  const r = await db.query(
    redeem
      ? `WITH redeemed AS (${redeem.sql})
         SELECT (SELECT count(*)::int FROM redeemed) AS fresh, a.jwk, a.status, a.eab_key_id${extra}
         FROM (SELECT 1) one LEFT JOIN rm_accounts a ON a.account_id = ${idParam}`
      : `SELECT NULL AS fresh, a.jwk, a.status, a.eab_key_id${extra} FROM (SELECT 1) one LEFT JOIN rm_accounts a ON a.account_id = ${idParam}`,
    params,
  );
  const row = r.rows[0];
  const fresh = row && row.fresh !== null ? row.fresh === 1 : null;
  return { account: row?.jwk ? { jwk: row.jwk, status: row.status, eabKeyId: row.eab_key_id } : null, fresh, alongside: alongside.map((_, i) => row?.[`alongside${i}`]) };
}

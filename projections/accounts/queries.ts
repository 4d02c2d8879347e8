import type { Db } from '../../src/db/db';

/** One page of accounts in creation order, after the (created_at, account_id) cursor when given. */
export async function listAccounts(db: Db, after: readonly unknown[] | null, limit: number): Promise<Array<Record<string, unknown>>> {
  const r = await db.query(
    `SELECT account_id, thumbprint, status, contact, eab_key_id, created_at, updated_at FROM rm_accounts
     WHERE ($1::timestamptz IS NULL OR (created_at, account_id) > ($1, $2)) ORDER BY created_at, account_id LIMIT $3`,
    [after?.[0] ?? null, after?.[1] ?? '', limit],
  );
  return r.rows;
}

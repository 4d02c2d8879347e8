import type { Db } from '../../src/db/db';

/** The oldest order renewing this certificate that is still alive (issued, or unexpired and not failed), or null. */
export async function findLiveReplacingOrder(db: Db, certificateId: string, now: Date): Promise<string | null> {
  const r = await db.query(
    `SELECT order_id FROM rm_orders WHERE replaces = $1 AND NOT failed AND (certificate_id IS NOT NULL OR expires > $2) ORDER BY created_at LIMIT 1`,
    [certificateId, now],
  );
  return (r.rows[0]?.order_id as string | undefined) ?? null;
}

/** Orders never finalized, not failed, past their expiry, oldest first (cleanup expires them). */
export async function findExpiredUnfinalizedOrders(db: Db, now: Date, limit: number): Promise<string[]> {
  const r = await db.query(
    `SELECT order_id FROM rm_orders WHERE NOT failed AND certificate_id IS NULL AND finalized_at IS NULL AND expires <= $1 ORDER BY expires LIMIT $2`,
    [now, limit],
  );
  return r.rows.map((row) => row.order_id as string);
}

/** Orders finalized before `finalizedBefore` still without a certificate, oldest first (stuck in processing). */
export async function findOrdersStuckInProcessing(db: Db, finalizedBefore: Date, limit: number): Promise<string[]> {
  const r = await db.query(
    `SELECT order_id FROM rm_orders WHERE NOT failed AND certificate_id IS NULL AND finalized_at <= $1 ORDER BY finalized_at LIMIT $2`,
    [finalizedBefore, limit],
  );
  return r.rows.map((row) => row.order_id as string);
}

/** One page of an account's orders in creation order, after the (created_at, order_id) cursor when given. */
export async function findOrdersByAccount(
  db: Db,
  accountId: string,
  after: { at: string; id: string } | null,
  limit: number,
): Promise<Array<{ orderId: string; createdAt: Date }>> {
  const r = await db.query(
    `SELECT order_id, created_at FROM rm_orders WHERE account_id = $1 AND ($2::timestamptz IS NULL OR (created_at, order_id) > ($2, $3))
     ORDER BY created_at, order_id LIMIT $4`,
    [accountId, after?.at ?? null, after?.id ?? '', limit],
  );
  return r.rows.map((row) => ({ orderId: row.order_id, createdAt: row.created_at }));
}

import type { Db } from './db';

/** The CRL an issuer serves (crl_state), with the revocation figures it was built from. */
export interface CrlStateRow {
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  der: Buffer;
  revokedCount: number;
  lastRevokedAt: Date | null;
}

/** The issuer's current CRL, locked until the end of the transaction `tx` (one builder at a time). */
export async function lockCrlState(tx: Db, issuer: string): Promise<CrlStateRow | null> {
  const r = await tx.query('SELECT crl_number, this_update, next_update, der, revoked_count, last_revoked_at FROM crl_state WHERE issuer = $1 FOR UPDATE', [issuer]);
  return r.rowCount ? toRow(r.rows[0]) : null;
}

export async function findCrlState(db: Db, issuer: string): Promise<CrlStateRow | null> {
  const r = await db.query('SELECT crl_number, this_update, next_update, der, revoked_count, last_revoked_at FROM crl_state WHERE issuer = $1', [issuer]);
  return r.rowCount ? toRow(r.rows[0]) : null;
}

export async function saveCrlState(tx: Db, issuer: string, crl: CrlStateRow): Promise<void> {
  await tx.query(
    `INSERT INTO crl_state (issuer, crl_number, this_update, next_update, revoked_count, last_revoked_at, der)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (issuer) DO UPDATE SET crl_number = $2, this_update = $3, next_update = $4, revoked_count = $5, last_revoked_at = $6, der = $7`,
    [issuer, crl.crlNumber.toString(), crl.thisUpdate, crl.nextUpdate, crl.revokedCount, crl.lastRevokedAt, crl.der],
  );
}

function toRow(row: Record<string, any>): CrlStateRow {
  return {
    crlNumber: BigInt(row.crl_number),
    thisUpdate: row.this_update,
    nextUpdate: row.next_update,
    der: row.der,
    revokedCount: row.revoked_count,
    lastRevokedAt: row.last_revoked_at,
  };
}

import type { Pool } from 'pg';
import type { CaBackend } from './ca-backend';

/**
 * Builds the issuer's CRL from rm_crl_entries and stores it in crl_state, where every instance
 * serves it from. A new CRL (with the next CRL number) is built when revocations were added since
 * the last one, and before the current one's refresh deadline.
 */
export interface CrlSettings {
  /** How long a CRL claims validity (nextUpdate - thisUpdate). */
  validityMs: number;
  /** Rebuild at least this often, well before nextUpdate. */
  refreshMs: number;
}

export interface StoredCrl {
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  der: Buffer;
}

export class CrlBuilder {
  constructor(
    private readonly pool: Pool,
    private readonly ca: CaBackend,
    private readonly settings: CrlSettings,
  ) {}

  /** Rebuilds when needed (or always with force); returns the CRL now current. */
  async refresh(now: Date, force = false): Promise<{ crl: StoredCrl; rebuilt: boolean }> {
    const issuer = this.ca.issuerName();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const current = await client.query('SELECT crl_number, this_update, next_update, der, revoked_count, last_revoked_at FROM crl_state WHERE issuer = $1 FOR UPDATE', [issuer]);
      const stats = await client.query('SELECT count(*)::int AS n, max(revoked_at) AS last FROM rm_crl_entries');
      const row = current.rows[0];
      const changed = !row || row.revoked_count !== stats.rows[0].n || String(row.last_revoked_at) !== String(stats.rows[0].last);
      const due = !row || now.getTime() >= new Date(row.this_update).getTime() + this.settings.refreshMs;
      if (!force && !changed && !due) {
        await client.query('COMMIT');
        return { crl: toStored(row), rebuilt: false };
      }
      const entries = (await client.query('SELECT serial, revoked_at, reason FROM rm_crl_entries ORDER BY revoked_at, serial')).rows;
      const crlNumber = row ? BigInt(row.crl_number) + 1n : 1n;
      const thisUpdate = now;
      const nextUpdate = new Date(now.getTime() + this.settings.validityMs);
      const der = await this.ca.signCrl({ crlNumber, thisUpdate, nextUpdate, entries: entries.map((e) => ({ serial: e.serial, revokedAt: e.revoked_at, reason: e.reason })) });
      await client.query(
        `INSERT INTO crl_state (issuer, crl_number, this_update, next_update, revoked_count, last_revoked_at, der)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (issuer) DO UPDATE SET crl_number = $2, this_update = $3, next_update = $4, revoked_count = $5, last_revoked_at = $6, der = $7`,
        [issuer, crlNumber.toString(), thisUpdate, nextUpdate, stats.rows[0].n, stats.rows[0].last, der],
      );
      await client.query('COMMIT');
      return { crl: { crlNumber, thisUpdate, nextUpdate, der }, rebuilt: true };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async current(): Promise<StoredCrl | null> {
    const r = await this.pool.query('SELECT crl_number, this_update, next_update, der FROM crl_state WHERE issuer = $1', [this.ca.issuerName()]);
    return r.rowCount ? toStored(r.rows[0]) : null;
  }
}

function toStored(row: { crl_number: string; this_update: Date; next_update: Date; der: Buffer }): StoredCrl {
  return { crlNumber: BigInt(row.crl_number), thisUpdate: row.this_update, nextUpdate: row.next_update, der: row.der };
}

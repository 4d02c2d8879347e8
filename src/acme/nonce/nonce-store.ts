import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * Nonces live in PostgreSQL, not process memory: a nonce issued by one instance is accepted by any
 * other, and used at most once (the DELETE … RETURNING is the atomic consume).
 */
export class NonceStore {
  constructor(
    private readonly pool: Pool,
    private readonly lifetimeMs: number,
  ) {}

  async issue(): Promise<string> {
    const nonce = randomBytes(16).toString('base64url');
    await this.pool.query(`INSERT INTO acme_nonces (nonce, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')`, [
      nonce,
      this.lifetimeMs,
    ]);
    return nonce;
  }

  /** True once for a nonce we issued that has not expired; false for anything else. */
  async consume(nonce: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) return false;
    const r = await this.pool.query('DELETE FROM acme_nonces WHERE nonce = $1 RETURNING expires_at > now() AS live', [nonce]);
    return r.rowCount === 1 && r.rows[0].live === true;
  }

  /** Deletes expired nonces in bounded batches so cleanup never holds the pool for long. */
  async purgeExpired(batch = 5000, now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await this.pool.query(
        `DELETE FROM acme_nonces WHERE nonce IN (SELECT nonce FROM acme_nonces WHERE expires_at < $2 LIMIT $1)`,
        [batch, now],
      );
      total += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < batch) return total;
    }
  }
}

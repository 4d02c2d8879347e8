import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomBytes as pooledRandomBytes } from '../random-bytes';
import type { Db } from './db';

/** Marks a redeemed set that has not been emptied by a crash since the key was last rotated. */
const SENTINEL = 'key-current';

/**
 * Anti-replay nonces (RFC 8555 §7.2) that cost nothing to issue and one statement to redeem:
 * a nonce is its expiry, 8 random bytes and an HMAC over both with a key every instance shares
 * (so any instance accepts a nonce another one issued). Redeeming inserts it into an UNLOGGED
 * table; a conflict there means it was used before.
 */
export class NonceStore {
  private key = Buffer.alloc(0);
  private loadedAt = 0;

  constructor(
    private readonly pool: Db,
    private readonly lifetimeMs: number,
    /** How often a nonce that fails its MAC may send this instance back for the shared key. */
    private readonly keyReloadMs = 5_000,
  ) {}

  /**
   * Loads the shared key. When the redeemed set lost its sentinel (first start, or a crash emptied
   * the UNLOGGED table), the key is rotated first: nonces redeemed before the crash stay refused.
   */
  async start(): Promise<void> {
    const sentinel = await this.pool.query(
      `INSERT INTO acme_redeemed_nonces (nonce, expires_at) VALUES ($1, 'infinity') ON CONFLICT DO NOTHING`,
      [SENTINEL],
    );
    if (sentinel.rowCount === 1) {
      await this.pool.query(
        `INSERT INTO acme_nonce_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET key = EXCLUDED.key, rotated_at = now()`,
        [randomBytes(32)],
      );
    }
    await this.reloadKey();
  }

  private async reloadKey(): Promise<void> {
    const r = await this.pool.query('SELECT key FROM acme_nonce_key WHERE id = 1');
    if (r.rowCount === 0) throw new Error('the nonce key is missing: start() creates it');
    this.key = r.rows[0].key;
    this.loadedAt = Date.now();
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, 16);
  }

  issue(now = Date.now()): string {
    const body = Buffer.alloc(16);
    body.writeBigUInt64BE(BigInt(now + this.lifetimeMs));
    pooledRandomBytes(8).copy(body, 8);
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  /** True once for a nonce we issued that has not expired; false for anything else. */
  async consume(nonce: string, now = Date.now()): Promise<boolean> {
    const redemption = await this.redemption(nonce, now);
    if (!redemption) return false;
    return (await this.pool.query(redemption.sql, redemption.params)).rowCount === 1;
  }

  /**
   * The statement that redeems a nonce we issued and that has not expired (it affects one row when
   * the nonce was unused), for the caller to run alone or inside a larger statement; null for a
   * nonce that is not ours or has expired.
   */
  async redemption(nonce: string, now = Date.now()): Promise<{ sql: string; params: [string, number] } | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(nonce)) return null;
    const raw = Buffer.from(nonce, 'base64url');
    const body = raw.subarray(0, 16);
    if (!timingSafeEqual(raw.subarray(16), this.mac(body))) {
      // Another instance may have rotated the key: look again, at most every few seconds.
      if (Date.now() - this.loadedAt < this.keyReloadMs) return null;
      await this.reloadKey();
      if (!timingSafeEqual(raw.subarray(16), this.mac(body))) return null;
    }
    const expires = Number(body.readBigUInt64BE(0));
    if (expires < now) return null;
    return {
      sql: `INSERT INTO acme_redeemed_nonces (nonce, expires_at) VALUES ($1, to_timestamp($2 / 1000.0)) ON CONFLICT DO NOTHING RETURNING 1`,
      params: [nonce, expires],
    };
  }

  /** Makes a nonce redeemed alongside a request that then failed its signature check usable again. */
  async release(nonce: string): Promise<void> {
    await this.pool.query('DELETE FROM acme_redeemed_nonces WHERE nonce = $1', [nonce]);
  }

  /** Forgets redeemed nonces past their expiry (they fail the expiry check anyway). */
  async purgeExpired(batch = 5000, now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await this.pool.query(
        `DELETE FROM acme_redeemed_nonces WHERE nonce IN (SELECT nonce FROM acme_redeemed_nonces WHERE expires_at < $2 LIMIT $1)`,
        [batch, now],
      );
      total += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < batch) return total;
    }
  }
}

import type { Db } from './db';

/** How failed logins slow down one (username, client address) pair. */
export interface LoginThrottleSettings {
  /** Attempts admitted without delay; the attempt that reaches this number starts the delays. */
  freeAttempts: number;
  /** First delay; each further admitted failure doubles it. */
  delayMs: number;
  maxDelayMs: number;
}

/** A pair quiet for this long starts over. */
const FORGET_AFTER = '24 hours';

/**
 * Admits a login attempt for (username, address) and moves the pair's next admission time by the
 * delay its failure count has reached, in one statement: concurrent attempts are counted exactly,
 * so at most `freeAttempts` passwords are checked before the delays apply. Only the pair is
 * slowed down: the same user from another address logs in at once, so nobody can lock a user out.
 */
const ADMIT_SQL = `
INSERT INTO admin_login_attempts AS a (username, address, failures, not_before, updated_at)
VALUES ($1, $2, 1, now() + CASE WHEN 1 >= $3 THEN $4 * interval '1 millisecond' ELSE interval '0' END, now())
ON CONFLICT (username, address) DO UPDATE SET
  failures = CASE WHEN a.updated_at < now() - interval '${FORGET_AFTER}' THEN 1 ELSE a.failures + 1 END,
  not_before = now() + CASE
    WHEN (CASE WHEN a.updated_at < now() - interval '${FORGET_AFTER}' THEN 1 ELSE a.failures + 1 END) >= $3
    THEN least($4 * power(2, least((CASE WHEN a.updated_at < now() - interval '${FORGET_AFTER}' THEN 1 ELSE a.failures + 1 END) - $3, 40)), $5) * interval '1 millisecond'
    ELSE interval '0' END,
  updated_at = now()
WHERE a.not_before <= now()
RETURNING failures`;

export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

export class LoginThrottle {
  constructor(
    private readonly pool: Db,
    private readonly settings: LoginThrottleSettings,
  ) {}

  async admit(username: string, address: string): Promise<Admission> {
    const s = this.settings;
    const r = await this.pool.query(ADMIT_SQL, [username, address, s.freeAttempts, s.delayMs, s.maxDelayMs]);
    if (r.rowCount) return { admitted: true };
    const wait = await this.pool.query(`SELECT greatest(ceil(extract(epoch FROM not_before - now()) * 1000), 1) AS ms FROM admin_login_attempts WHERE username = $1 AND address = $2`, [username, address]);
    return { admitted: false, retryAfterMs: Number(wait.rows[0]?.ms ?? 1000) };
  }

  /** A correct password clears the pair's failures. */
  async succeeded(username: string, address: string): Promise<void> {
    await this.pool.query('DELETE FROM admin_login_attempts WHERE username = $1 AND address = $2', [username, address]);
  }
}

/** Forgets up to `limit` pairs quiet for a day and no longer delayed; returns how many. */
export async function purgeQuietLoginAttempts(db: Db, limit: number): Promise<number> {
  const r = await db.query(
    `DELETE FROM admin_login_attempts WHERE (username, address) IN (
       SELECT username, address FROM admin_login_attempts WHERE updated_at < now() - interval '${FORGET_AFTER}' AND not_before < now() LIMIT $1)`,
    [limit],
  );
  return r.rowCount ?? 0;
}

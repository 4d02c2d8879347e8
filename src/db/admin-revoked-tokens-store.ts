import type { Db } from './db';

/** Ids of admin tokens ended by a logout (admin_revoked_tokens), kept until the token would expire. */
export async function isAdminTokenRevoked(db: Db, jti: string): Promise<boolean> {
  return ((await db.query('SELECT 1 FROM admin_revoked_tokens WHERE jti = $1', [jti])).rowCount ?? 0) > 0;
}

export async function revokeAdminToken(db: Db, jti: string, expiresAt: Date): Promise<void> {
  await db.query('INSERT INTO admin_revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [jti, expiresAt]);
}

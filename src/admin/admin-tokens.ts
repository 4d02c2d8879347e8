import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Db } from '../db/db';
import { isAdminTokenRevoked, revokeAdminToken } from '../db/admin-revoked-tokens-store';
import type { AdminRole, AdminUser, AdminUsers } from './admin-users';

/**
 * Admin bearer tokens: HS256 JWTs with an expiry and an id. A token stops working when it expires,
 * when its user logs out (its id is revoked), or when its user changes password (issued before).
 */
export interface AdminPrincipal {
  userId: string;
  username: string;
  role: AdminRole;
  jti: string;
  expiresAt: Date;
}

export class AdminTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlMs: number,
    private readonly pool: Db,
    private readonly users: AdminUsers,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(user: AdminUser, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    // iat in milliseconds precision matters for "issued before the password change": keep it in a claim.
    const token = await new SignJWT({ role: user.role, name: user.username, iat_ms: now.getTime() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.userId)
      .setJti(randomUUID())
      .setIssuer('certledger-admin')
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The principal of a valid token, or null with the reason. */
  async verify(token: string): Promise<{ principal: AdminPrincipal } | { reason: string }> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: 'certledger-admin', algorithms: ['HS256'] }));
    } catch (e) {
      return { reason: (e as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token is not valid' };
    }
    const jti = String(payload.jti);
    if (await isAdminTokenRevoked(this.pool, jti)) return { reason: 'the token was revoked (logged out)' };
    const user = await this.users.byId(String(payload.sub));
    if (!user) return { reason: 'the user no longer exists' };
    if (Number(payload.iat_ms) < user.passwordChangedAt.getTime()) return { reason: 'the password changed after this token was issued' };
    return { principal: { userId: user.userId, username: user.username, role: user.role, jti, expiresAt: new Date(Number(payload.exp) * 1000) } };
  }

  async revoke(p: AdminPrincipal): Promise<void> {
    await revokeAdminToken(this.pool, p.jti, p.expiresAt);
  }
}

import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { type LoginThrottleSettings, LoginThrottle } from '../db/admin-login-attempts-store';
import { generatePassword, hashPassword, verifyPassword } from './passwords';

export type AdminRole = 'admin' | 'auditor';

export interface AdminUser {
  userId: string;
  username: string;
  role: AdminRole;
  passwordChangedAt: Date;
}

export class LoginError extends Error {
  constructor(message: string, readonly retryAfterMs: number | null = null) {
    super(message);
  }
}

/** Repeated failures from one address slow that address down for that username (LoginThrottle). */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = { freeAttempts: 5, delayMs: 1_000, maxDelayMs: 15 * 60_000 };

export class AdminUsers {
  private readonly throttle: LoginThrottle;
  /** A hash no password matches, checked for unknown users so they cost the same time as known ones. */
  private decoy: Promise<string> | null = null;

  constructor(
    private readonly pool: Pool,
    throttle: LoginThrottleSettings = DEFAULT_LOGIN_THROTTLE,
    /** Counts password checks (tests and metrics). */
    private readonly onPasswordCheck: () => void = () => undefined,
  ) {
    this.throttle = new LoginThrottle(pool, throttle);
  }

  async create(username: string, role: AdminRole, password = generatePassword()): Promise<{ user: AdminUser; password: string }> {
    const userId = randomUUID();
    try {
      await this.pool.query('INSERT INTO admin_users (user_id, username, role, password_hash) VALUES ($1, $2, $3, $4)', [userId, username, role, await hashPassword(password)]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new Error(`an admin user named '${username}' already exists`);
      throw e;
    }
    return { user: (await this.byId(userId))!, password };
  }

  async count(): Promise<number> {
    return Number((await this.pool.query('SELECT count(*) AS n FROM admin_users')).rows[0].n);
  }

  async byId(userId: string): Promise<AdminUser | null> {
    const r = await this.pool.query('SELECT user_id, username, role, password_changed_at FROM admin_users WHERE user_id = $1', [userId]);
    return r.rowCount ? toUser(r.rows[0]) : null;
  }

  /**
   * Checks a login from `address`. The attempt is admitted (and counted) atomically before any
   * password is checked; an unknown user costs the same scrypt as a known one.
   */
  async login(username: string, password: string, address = 'unknown'): Promise<AdminUser> {
    const admission = await this.throttle.admit(username, address);
    if (!admission.admitted) {
      const at = new Date(Date.now() + admission.retryAfterMs);
      throw new LoginError(`too many failed logins for this user from ${address}: try again after ${at.toISOString()}`, admission.retryAfterMs);
    }
    const r = await this.pool.query('SELECT user_id, username, role, password_hash, password_changed_at FROM admin_users WHERE username = $1', [username]);
    const row = r.rows[0];
    this.onPasswordCheck();
    const ok = await verifyPassword(password, row?.password_hash ?? (await this.decoyHash()));
    if (!row || !ok) throw new LoginError('invalid username or password');
    await this.throttle.succeeded(username, address);
    return toUser(row);
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= hashPassword(generatePassword());
    return this.decoy;
  }

  /** A new password invalidates every token issued before the change. */
  async changePassword(userId: string, current: string, next: string): Promise<void> {
    const r = await this.pool.query('SELECT password_hash FROM admin_users WHERE user_id = $1', [userId]);
    if (!r.rowCount || !(await verifyPassword(current, r.rows[0].password_hash))) throw new LoginError('the current password is wrong');
    await this.pool.query('UPDATE admin_users SET password_hash = $2, password_changed_at = now() WHERE user_id = $1', [userId, await hashPassword(next)]);
  }
}

function toUser(row: Record<string, any>): AdminUser {
  return { userId: row.user_id, username: row.username, role: row.role, passwordChangedAt: new Date(row.password_changed_at) };
}

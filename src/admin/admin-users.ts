import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { generatePassword, hashPassword, verifyPassword } from './passwords';

export type AdminRole = 'admin' | 'auditor';

export interface AdminUser {
  userId: string;
  username: string;
  role: AdminRole;
  passwordChangedAt: Date;
}

/** Repeated failures lock the account for a while; a success resets the count. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;

export class LoginError extends Error {
  constructor(message: string, readonly locked = false) {
    super(message);
  }
}

export class AdminUsers {
  constructor(private readonly pool: Pool) {}

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

  /** Checks a login; counts failures and locks the user after MAX_FAILED_LOGINS. */
  async login(username: string, password: string, now = new Date()): Promise<AdminUser> {
    const r = await this.pool.query('SELECT user_id, username, role, password_hash, password_changed_at, failed_logins, locked_until FROM admin_users WHERE username = $1', [username]);
    const row = r.rows[0];
    if (!row) throw new LoginError('invalid username or password');
    if (row.locked_until && new Date(row.locked_until) > now) {
      throw new LoginError(`too many failed logins: locked until ${new Date(row.locked_until).toISOString()}`, true);
    }
    if (!(await verifyPassword(password, row.password_hash))) {
      const failures = row.failed_logins + 1;
      const lock = failures >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MS) : null;
      await this.pool.query('UPDATE admin_users SET failed_logins = $2, locked_until = $3 WHERE user_id = $1', [row.user_id, lock ? 0 : failures, lock]);
      if (lock) throw new LoginError(`too many failed logins: locked until ${lock.toISOString()}`, true);
      throw new LoginError('invalid username or password');
    }
    await this.pool.query('UPDATE admin_users SET failed_logins = 0, locked_until = NULL WHERE user_id = $1', [row.user_id]);
    return toUser(row);
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

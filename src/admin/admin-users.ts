import { randomUUID } from 'node:crypto';
import type { Db } from '../db/db';
import {
  type AdminUserRow,
  countAdminUsers,
  DuplicateUsernameError,
  findAdminUserById,
  findAdminUserByName,
  insertAdminUser,
  updateAdminPassword,
} from '../db/admin-users-store';
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
    private readonly pool: Db,
    throttle: LoginThrottleSettings = DEFAULT_LOGIN_THROTTLE,
    /** Counts password checks (tests and metrics). */
    private readonly onPasswordCheck: () => void = () => undefined,
  ) {
    this.throttle = new LoginThrottle(pool, throttle);
  }

  async create(username: string, role: AdminRole, password = generatePassword()): Promise<{ user: AdminUser; password: string }> {
    const userId = randomUUID();
    try {
      await insertAdminUser(this.pool, { userId, username, role, passwordHash: await hashPassword(password) });
    } catch (e) {
      if (e instanceof DuplicateUsernameError) throw new Error(`an admin user named '${username}' already exists`);
      throw e;
    }
    return { user: (await this.byId(userId))!, password };
  }

  async count(): Promise<number> {
    return countAdminUsers(this.pool);
  }

  async byId(userId: string): Promise<AdminUser | null> {
    const row = await findAdminUserById(this.pool, userId);
    return row && toUser(row);
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
    const row = await findAdminUserByName(this.pool, username);
    this.onPasswordCheck();
    const ok = await verifyPassword(password, row?.passwordHash ?? (await this.decoyHash()));
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
    const row = await findAdminUserById(this.pool, userId);
    if (!row || !(await verifyPassword(current, row.passwordHash))) throw new LoginError('the current password is wrong');
    await updateAdminPassword(this.pool, userId, await hashPassword(next));
  }
}

function toUser(row: AdminUserRow): AdminUser {
  return { userId: row.userId, username: row.username, role: row.role, passwordChangedAt: row.passwordChangedAt };
}

import type { Db } from './db';

/** An admin_users row as the admin module reads it; the role is checked by the table's constraint. */
export interface AdminUserRow {
  userId: string;
  username: string;
  role: 'admin' | 'auditor';
  passwordHash: string;
  passwordChangedAt: Date;
}

/** A unique-violation on the username surfaces as this error, for a message that names the user. */
export class DuplicateUsernameError extends Error {}

export async function insertAdminUser(db: Db, u: { userId: string; username: string; role: string; passwordHash: string }): Promise<void> {
  try {
    await db.query('INSERT INTO admin_users (user_id, username, role, password_hash) VALUES ($1, $2, $3, $4)', [u.userId, u.username, u.role, u.passwordHash]);
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new DuplicateUsernameError(u.username);
    throw e;
  }
}

export async function countAdminUsers(db: Db): Promise<number> {
  return Number((await db.query('SELECT count(*) AS n FROM admin_users')).rows[0].n);
}

export async function findAdminUserById(db: Db, userId: string): Promise<AdminUserRow | null> {
  const r = await db.query('SELECT user_id, username, role, password_hash, password_changed_at FROM admin_users WHERE user_id = $1', [userId]);
  return r.rowCount ? toRow(r.rows[0]) : null;
}

export async function findAdminUserByName(db: Db, username: string): Promise<AdminUserRow | null> {
  const r = await db.query('SELECT user_id, username, role, password_hash, password_changed_at FROM admin_users WHERE username = $1', [username]);
  return r.rowCount ? toRow(r.rows[0]) : null;
}

/** Stores a new password hash; the change time invalidates every token issued before it. */
export async function updateAdminPassword(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE admin_users SET password_hash = $2, password_changed_at = now() WHERE user_id = $1', [userId, passwordHash]);
}

function toRow(row: Record<string, any>): AdminUserRow {
  return { userId: row.user_id, username: row.username, role: row.role, passwordHash: row.password_hash, passwordChangedAt: new Date(row.password_changed_at) };
}

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../ops/logger';
import type { Runtime } from './runtime';
import { AdminTokens } from '../admin/admin-tokens';
import { AdminUsers } from '../admin/admin-users';

/** Where the first admin's generated password is written (readable by the owner only). */
export const FIRST_ADMIN_PASSWORD_FILE = 'admin-password';

/** What the admin API and the console authenticate with. */
export interface AdminWiring {
  users: AdminUsers;
  tokens: AdminTokens;
}

/**
 * The admin API's users and tokens when admin.enabled. On the very first start with no admin user,
 * one "admin" user is created; its password goes to a 0600 file in the data directory, which the
 * log names. The password itself never enters the log stream.
 */
export async function adminWiring(config: Config, rt: Runtime, log: Logger): Promise<AdminWiring | null> {
  if (!config.admin.enabled) return null;
  const users = new AdminUsers(rt.db.pool, {
    freeAttempts: config.admin.login_free_attempts,
    delayMs: config.admin.login_delay,
    maxDelayMs: config.admin.login_max_delay,
  });
  if ((await users.count()) === 0) {
    let password: string;
    try {
      ({ password } = await users.create('admin', 'admin'));
    } catch {
      password = ''; // another worker process created it first
    }
    if (password) {
      const file = writeFirstPassword(config.data_dir, password);
      log.warn({ username: 'admin', file }, 'created the first admin user; its password is in this file (readable by its owner only): log in, change it, then delete the file');
    }
  }
  return { users, tokens: new AdminTokens(config.admin.token_secret!, config.admin.token_ttl, rt.db.pool, users) };
}

function writeFirstPassword(dataDir: string, password: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, FIRST_ADMIN_PASSWORD_FILE);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an older file keeps its mode otherwise
  return file;
}

import type { Config } from '../config';
import type { Logger } from '../ops/logger';
import type { Runtime } from '../runtime/runtime';
import { AdminTokens } from './admin-tokens';
import { AdminUsers } from './admin-users';

/**
 * The admin API's users and tokens when admin.enabled. On the very first start with no admin user,
 * one "admin" user is created and its password printed once.
 */
export async function adminWiring(config: Config, rt: Runtime, log: Logger): Promise<{ users: AdminUsers; tokens: AdminTokens } | null> {
  if (!config.admin.enabled) return null;
  const users = new AdminUsers(rt.db.pool);
  if ((await users.count()) === 0) {
    try {
      const { password } = await users.create('admin', 'admin');
      log.warn({ username: 'admin' }, 'created the first admin user; its password is printed once below');
      process.stderr.write(`\nadmin API user "admin" password (shown once): ${password}\n\n`);
    } catch {
      // Another worker process created it first.
    }
  }
  return { users, tokens: new AdminTokens(config.admin.token_secret!, config.admin.token_ttl, rt.db.pool, users) };
}

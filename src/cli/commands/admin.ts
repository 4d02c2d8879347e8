import { AdminUsers } from '../../admin/admin-users';
import { type GlobalOptions, withRuntime } from '../context';
import { CliError } from '../exit-codes';

/** `admin create-user --username NAME [--role admin|auditor]`: prints the generated password once. */
export async function adminCreateUser(opts: GlobalOptions, username: string, role: string): Promise<void> {
  if (role !== 'admin' && role !== 'auditor') throw new CliError(`--role must be admin or auditor, got '${role}'`, 2);
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) throw new CliError('--username: 1-64 letters, digits and . _ @ -', 2);
  await withRuntime(opts, async (rt) => {
    const users = new AdminUsers(rt.db.pool);
    const { user, password } = await users.create(username, role).catch((e: Error) => {
      throw new CliError(e.message);
    });
    process.stdout.write(`created ${user.role} user ${user.username}\npassword (shown once): ${password}\n`);
  });
}

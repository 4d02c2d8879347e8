import { userInfo } from 'node:os';
import { AdminActions } from '../../admin/admin-actions';
import type { AdminPrincipal } from '../../admin/admin-tokens';
import { AdminUsers } from '../../admin/admin-users';
import { AcmeError } from '../../domain/errors';
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

export interface RenewNowOptions {
  account?: string;
  name?: string;
  serial?: string;
  reason: string;
  expect: string;
}

/**
 * `admin renew-now --reason R --expect N [--account A] [--name N] [--serial S]`: incident response,
 * as POST /api/certificates/renew-now. The actor recorded is `cli:<operating system user>`.
 */
export async function adminRenewNow(opts: GlobalOptions, o: RenewNowOptions): Promise<void> {
  const expect = Number(o.expect);
  if (!Number.isInteger(expect) || expect < 1) throw new CliError(`--expect must be a positive integer, got '${o.expect}'`, 2);
  await withRuntime(opts, async (rt) => {
    const actions = new AdminActions(rt.aggregates, rt.db.pool);
    const principal: AdminPrincipal = { userId: 'cli', username: `cli:${userInfo().username}`, role: 'admin', jti: 'cli', expiresAt: new Date(Date.now() + 60_000) };
    const r = await actions.requestRenewal({ account: o.account, name: o.name, serial: o.serial, reason: o.reason, expect }, principal, {}).catch((e: Error) => {
      throw new CliError(e instanceof AcmeError ? e.detail : e.message);
    });
    process.stdout.write(`renewal requested for ${r.certificates.length} certificate(s):\n${r.certificates.map((id) => `  ${id}\n`).join('')}`);
  });
}

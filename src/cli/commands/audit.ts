import { existsSync, readFileSync } from 'node:fs';
import { verifyChain } from '../../ops/audit/audit-chain';
import { auditFile, auditSecret } from '../../ops/audit/audit-secret';
import { listServers } from '../../db/servers-store';
import { openDatabase } from '../../runtime/database';
import { bootSettings } from '../../runtime/boot';
import { type GlobalOptions, loggerFor, readConfig } from '../context';
import { CliError } from '../exit-codes';

/** `audit verify [--file F]`: exit 0 on an intact chain, 1 at the first break with file, line and reason. */
export async function auditVerify(opts: GlobalOptions, file?: string): Promise<void> {
  const { config } = readConfig(opts);
  const path = file ?? auditFile(config.data_dir);
  if (!existsSync(path)) throw new CliError(`${path}: no audit log here`);
  const { secret } = config.audit.hmac_secret
    ? { secret: config.audit.hmac_secret }
    : existsSync(`${config.data_dir}/audit-secret`)
      ? auditSecret(null, config.data_dir)
      : (() => {
          throw new CliError('no audit secret: set audit.hmac_secret (or run where <data_dir>/audit-secret exists)');
        })();
  const result = verifyChain(readFileSync(path, 'utf8'), secret);
  if (!result.ok) throw new CliError(`${path}:${result.error!.line}: ${result.error!.reason}`);
  process.stdout.write(`${path}: ${result.lines} lines, chain intact\n`);
}

/** `audit list-servers`: every node that ever ran against this database, most recently seen first. */
export async function auditListServers(opts: GlobalOptions): Promise<void> {
  const { config } = readConfig(opts);
  const db = await openDatabase(bootSettings(config).database, loggerFor(config, opts));
  try {
    const rows = await listServers(db.pool);
    process.stdout.write(`${'server_id'.padEnd(38)}${'hostname'.padEnd(24)}${'version'.padEnd(10)}${'first_seen'.padEnd(26)}last_seen\n`);
    for (const r of rows) {
      process.stdout.write(`${r.serverId.padEnd(38)}${r.hostname.padEnd(24)}${r.version.padEnd(10)}${r.firstSeen.toISOString().padEnd(26)}${r.lastSeen.toISOString()}\n`);
    }
  } finally {
    await db.close();
  }
}

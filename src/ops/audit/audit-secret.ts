import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The audit HMAC secret: `audit.hmac_secret` (usually `${AUDIT_HMAC_SECRET}`), or else one generated
 * on first start into <data_dir>/audit-secret (mode 0600). It is never logged.
 */
export function auditSecret(configured: string | null, dataDir: string): { secret: string; generated: boolean } {
  if (configured) return { secret: configured, generated: false };
  const file = join(dataDir, 'audit-secret');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), generated: false };
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, generated: true };
}

export const auditFile = (dataDir: string) => join(dataDir, 'audit', 'audit.jsonl');

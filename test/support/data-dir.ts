import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh data directory for a server under test. It must be traversable by others: run as root,
 * the embedded PostgreSQL runs as the postgres user.
 */
export function dataDirectory(label = 'data'): string {
  const dir = mkdtempSync(join(tmpdir(), `certledger-${label}-`));
  chmodSync(dir, 0o755);
  return dir;
}

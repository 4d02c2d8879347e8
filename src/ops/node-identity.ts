import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../db/db';
import { upsertServer } from '../db/servers-store';

/**
 * Each node has a server_id (UUID v4) created on its first start in <data_dir>/server_id (mode
 * 0600). It is recorded in every event's metadata and every audit line, and registered in the
 * servers table, whose last_seen the lease keeper's heartbeat refreshes, so operators see which nodes
 * exist and when each was last alive.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function ensureServerId(dataDir: string): string {
  const file = join(dataDir, 'server_id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (!UUID.test(id)) throw new Error(`${file} does not hold a server id (a UUID); restore it or remove it to make this a new node`);
    return id;
  }
  mkdirSync(dataDir, { recursive: true });
  const id = randomUUID();
  writeFileSync(file, `${id}\n`, { mode: 0o600, flag: 'wx' });
  return id;
}

export async function registerServer(db: Db, serverId: string, version: string): Promise<void> {
  await upsertServer(db, serverId, hostname(), version);
}

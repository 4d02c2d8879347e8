import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';

/**
 * Each node has a server_id (UUID v4) created on its first start in <data_dir>/server_id (mode
 * 0600). It is recorded in every event's metadata and every audit line, and registered in the
 * servers table with a heartbeat so operators see which nodes exist and when each was last alive.
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

export async function registerServer(pool: Pool, serverId: string, version: string): Promise<void> {
  await pool.query(
    `INSERT INTO servers (server_id, hostname, version) VALUES ($1, $2, $3)
     ON CONFLICT (server_id) DO UPDATE SET hostname = $2, version = $3, last_seen = now()`,
    [serverId, hostname(), version],
  );
}

/** Refreshes last_seen once a minute; returns a stop function. */
export function startHeartbeat(pool: Pool, serverId: string, onError: (e: Error) => void, everyMs = 60_000): () => void {
  const timer = setInterval(() => {
    pool.query('UPDATE servers SET last_seen = now() WHERE server_id = $1', [serverId]).catch(onError);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function listServers(pool: Pool): Promise<Array<{ serverId: string; hostname: string; version: string; firstSeen: Date; lastSeen: Date }>> {
  const r = await pool.query('SELECT server_id, hostname, version, first_seen, last_seen FROM servers ORDER BY last_seen DESC');
  return r.rows.map((x) => ({ serverId: x.server_id, hostname: x.hostname, version: x.version, firstSeen: x.first_seen, lastSeen: x.last_seen }));
}

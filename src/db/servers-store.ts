import type { Db } from './db';

/** The nodes of a fleet (servers): each one's id, host, release and when it was last heard from. */
export interface ServerRow {
  serverId: string;
  hostname: string;
  version: string;
  firstSeen: Date;
  lastSeen: Date;
}

export async function upsertServer(db: Db, serverId: string, hostname: string, version: string): Promise<void> {
  await db.query(
    `INSERT INTO servers (server_id, hostname, version) VALUES ($1, $2, $3)
     ON CONFLICT (server_id) DO UPDATE SET hostname = $2, version = $3, last_seen = now()`,
    [serverId, hostname, version],
  );
}

export async function touchServer(db: Db, serverId: string): Promise<void> {
  await db.query('UPDATE servers SET last_seen = now() WHERE server_id = $1', [serverId]);
}

/** Every node, the most recently seen first. */
export async function listServers(db: Db): Promise<ServerRow[]> {
  const r = await db.query('SELECT server_id, hostname, version, first_seen, last_seen FROM servers ORDER BY last_seen DESC');
  return r.rows.map((x) => ({ serverId: x.server_id, hostname: x.hostname, version: x.version, firstSeen: x.first_seen, lastSeen: x.last_seen }));
}

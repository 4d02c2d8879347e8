import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { freeLocalPort } from '../../src/db/free-port';
import { MeasuredPostgres } from './measured-postgres';
import { writeSelfSignedTls } from './tls-pair';

/** The real server process (bin/certledger.js) on a MeasuredPostgres, up and answering /livez. */
export interface CertledgerServer {
  baseUrl: string;
  /** Trusts the generated certificate when the server speaks HTTPS. */
  dispatcher: Agent;
  tls: boolean;
  dataDir: string;
  pg: MeasuredPostgres;
  pid: number;
  /** Roots of the process trees whose CPU counts as the server's (PostgreSQL included). */
  cpuRoots(): number[];
  /** The database's share of the tree. */
  databaseCpuRoots(): number[];
  stop(): Promise<void>;
}

export interface CertledgerServerOptions {
  /** YAML appended to the configuration (whole top-level sections). */
  extraYaml?: string;
  /** Serve over HTTPS too, with a generated certificate. */
  tls?: boolean;
  /** server.workers and database.pool_max. */
  workers?: string | number;
  poolMax?: string | number;
  /** Node options for the server process (--cpu-prof ...). */
  nodeArgs?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts PostgreSQL in `<dir>/postgres` and the server with its data in `<dir>/data`; the configuration is `<dir>/c.yaml`. */
export async function startCertledgerServer(dir: string, opts: CertledgerServerOptions = {}): Promise<CertledgerServer> {
  const pg = await MeasuredPostgres.start(join(dir, 'postgres'));
  const port = await freeLocalPort();
  const dataDir = join(dir, 'data');
  const tls = opts.tls ? await writeSelfSignedTls(dir, 'certledger-tls') : undefined;
  writeFileSync(
    join(dir, 'c.yaml'),
    `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n  workers: ${opts.workers ?? 1}\n` +
      (tls ? `  tls:\n    cert_file: ${tls.certFile}\n    key_file: ${tls.keyFile}\n` : '') +
      `logging:\n  level: warn\n` +
      `database:\n  url: ${JSON.stringify(pg.url)}\n  pool_max: ${opts.poolMax ?? 20}\n${opts.extraYaml ?? ''}\n`,
  );
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(__dirname, '..', '..', '..', 'bin', 'certledger.js'), '-c', join(dir, 'c.yaml')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const dispatcher = new Agent(tls ? { connect: { ca: tls.certPem } } : {});
  let up = false;
  for (let i = 0; i < 240 && child.exitCode === null; i++) {
    up = await fetch(`${baseUrl}/livez`, { dispatcher } as RequestInit).then((r) => r.ok, () => false);
    if (up) break;
    await sleep(250);
  }
  if (!up) {
    child.kill('SIGKILL');
    await dispatcher.close();
    await pg.stop();
    throw new Error('certledger did not start');
  }
  return {
    baseUrl,
    dispatcher,
    tls: tls !== undefined,
    dataDir,
    pg,
    pid: child.pid!,
    cpuRoots: () => [child.pid!, pg.postmasterPid()],
    databaseCpuRoots: () => [pg.postmasterPid()],
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await dispatcher.close();
      await pg.stop();
    },
  };
}

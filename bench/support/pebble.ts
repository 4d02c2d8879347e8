import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Agent } from 'undici';
import { freeLocalPort } from '../../src/db/free-port';
import { writeSelfSignedTls } from './tls-pair';

/** The `pebble` executable on PATH (PEBBLE_BIN overrides), or undefined. */
export function findPebble(): string | undefined {
  if (process.env.PEBBLE_BIN) return process.env.PEBBLE_BIN;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'pebble');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export interface RunningPebble {
  pid: number;
  directoryUrl: string;
  baseUrl: string;
  /** Trusts Pebble's own TLS certificate (and nothing else): give it to every request to Pebble. */
  dispatcher: Agent;
  /** Pebble's issuing root (from its management interface), PEM. */
  rootPem: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts Pebble with real validation: PEBBLE_VA_NOSLEEP=1 (no random 0-15 s pause before each
 * validation), PEBBLE_WFE_NONCEREJECT=0 (no artificial badNonce), PEBBLE_VA_ALWAYS_VALID removed,
 * http-01 sent to `httpPort` on loopback, names resolved by the DNS server at `dns`.
 */
export async function startPebble(bin: string, dir: string, rig: { httpPort: number; tlsPort: number; dnsPort: number }): Promise<RunningPebble> {
  const tls = await writeSelfSignedTls(dir, 'pebble-tls');
  const port = await freeLocalPort();
  const managementPort = await freeLocalPort();
  const configFile = join(dir, 'pebble-config.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        pebble: {
          listenAddress: `127.0.0.1:${port}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: tls.certFile,
          privateKey: tls.keyFile,
          httpPort: rig.httpPort,
          tlsPort: rig.tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      },
      null,
      2,
    ),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' };
  delete env.PEBBLE_VA_ALWAYS_VALID;
  const logFile = join(dir, 'pebble.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(bin, ['-config', configFile, '-dnsserver', `127.0.0.1:${rig.dnsPort}`], { env, stdio: ['ignore', log, log] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const dispatcher = new Agent({ connect: { ca: tls.certPem } });
  const baseUrl = `https://127.0.0.1:${port}`;
  const directoryUrl = `${baseUrl}/dir`;
  let up = false;
  for (let i = 0; i < 120 && child.exitCode === null; i++) {
    up = await fetch(directoryUrl, { dispatcher } as RequestInit).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`pebble did not start; its log:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
  }
  const root = await fetch(`https://127.0.0.1:${managementPort}/roots/0`, { dispatcher } as RequestInit);
  if (!root.ok) throw new Error(`pebble management interface: GET /roots/0 answered ${root.status}`);
  return {
    pid: child.pid!,
    baseUrl,
    directoryUrl,
    dispatcher,
    rootPem: await root.text(),
    logFile,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await dispatcher.close();
    },
  };
}

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLocalPort } from '../../src/db/free-port';

const BIN = join(__dirname, '..', '..', 'bin', 'certledger.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `certledger` binary once (the e2e tier runs after `npm run build`). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, CERTLEDGER_CONFIG: undefined, DATABASE_URL: undefined, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'certledger-e2e-'));
  const file = join(dir, 'certledger.yaml');
  writeFileSync(file, yaml);
  return file;
}

export interface ServerProcess {
  baseUrl: string;
  /** The configuration file the server was started with (rewrite it, then SIGHUP). */
  configPath?: string;
  port: number;
  child: ChildProcess;
  logs(): string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<number | null>;
}

/** Starts `certledger serve` and waits until /livez answers. */
export async function startServer(opts: { configYaml?: (port: number) => string; env?: Record<string, string | undefined>; port?: number }): Promise<ServerProcess> {
  const port = opts.port ?? (await freeLocalPort());
  const configPath = opts.configYaml ? writeConfig(singleProcess(opts.configYaml(port))) : undefined;
  const args = configPath ? ['-c', configPath] : [];
  const child = spawn(process.execPath, [BIN, ...args, 'serve'], {
    env: { ...process.env, CERTLEDGER_CONFIG: undefined, DATABASE_URL: undefined, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exitedEarly = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
    if (exitedEarly) throw new Error(`server exited before it was ready:\n${output}`);
    const ok = await fetch(`${baseUrl}/livez`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become ready:\n${output}`);
    }
  }
  return {
    baseUrl,
    port,
    configPath,
    child,
    logs: () => output,
    exited,
    signal: (sig) => child.kill(sig),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Tests run one server process unless their configuration asks for worker processes: two cores
 * are shared by the whole suite.
 */
function singleProcess(yaml: string): string {
  if (/^\s+workers:\s/m.test(yaml.split(/^(?=\S)/m).find((s) => s.startsWith('server:')) ?? '')) return yaml;
  return /^server:\n/m.test(yaml) ? yaml.replace(/^server:\n/m, 'server:\n  workers: 1\n') : `${yaml}\nserver:\n  workers: 1\n`;
}

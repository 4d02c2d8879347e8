import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, ConfigError, loadConfig } from '../../../src/config';

/** Temporary configuration files in one folder of os.tmpdir(), for the configuration tests. */
export const configDir = mkdtempSync(join(tmpdir(), 'certledger-config-'));
let n = 0;

export function configFile(yaml: string): string {
  const p = join(configDir, `c${n++}.yaml`);
  writeFileSync(p, yaml);
  return p;
}

export function load(yaml: string, env: Record<string, string> = {}): Config {
  return loadConfig({ file: configFile(yaml), env });
}

/** The problems a refused file gets, in order; fails when the file is accepted. */
export function errorsOf(yaml: string, env: Record<string, string> = {}): string[] {
  return errorsFrom(() => load(yaml, env));
}

export function errorsFrom(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.errors;
  }
  throw new Error('expected the configuration to be refused');
}

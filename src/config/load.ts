import { dirname, resolve } from 'node:path';
import { readConfigFile } from './read-file';
import type { Config } from './types';
import { validateConfigObject } from './validate';

type Env = Record<string, string | undefined>;

/** `-c FILE` wins, then CERTLEDGER_CONFIG; undefined means the embedded defaults. */
export function resolveConfigPath(cliPath: string | undefined, env: Env): string | undefined {
  const p = cliPath || env.CERTLEDGER_CONFIG;
  return p ? resolve(p) : undefined;
}

/**
 * The configuration from `file`, or the embedded defaults when there is no file. Throws a
 * ConfigError listing every problem. Relative paths in the file are resolved against its folder.
 */
export function loadConfig(opts: { file?: string; env: Env }): Config {
  if (!opts.file) return validateConfigObject({}, opts.env, process.cwd());
  const file = resolve(opts.file);
  return validateConfigObject(readConfigFile(file), opts.env, dirname(file));
}

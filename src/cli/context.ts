import { type Config, loadConfig, resolveConfigPath } from '../config';
import { createLogger, type Logger } from '../ops/logger';
import { bootFromConfig } from '../runtime/boot';
import type { Runtime } from '../runtime/runtime';

/** Global CLI flags, shared by every command. */
export interface GlobalOptions {
  config?: string;
  debug?: boolean;
  validateOnly?: boolean;
}

export function readConfig(opts: GlobalOptions): { config: Config; path: string | undefined } {
  const path = resolveConfigPath(opts.config, process.env);
  return { config: loadConfig({ file: path, env: process.env }), path };
}

export function loggerFor(config: Config, opts: GlobalOptions): Logger {
  return createLogger({ level: opts.debug ? 'debug' : config.logging.level, format: config.logging.format });
}

/** Boots the runtime for a one-shot command, runs it, and always closes what it opened. */
export async function withRuntime<T>(opts: GlobalOptions, fn: (rt: Runtime, config: Config) => Promise<T>, overrides: { autoSetup?: boolean } = {}): Promise<T> {
  const { config } = readConfig(opts);
  const log = loggerFor(config, opts);
  const rt = await bootFromConfig(config, log, overrides);
  try {
    return await fn(rt, config);
  } finally {
    await rt.close();
  }
}

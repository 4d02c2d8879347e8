import { type Config, loadConfig, resolveConfigPath } from '../config';
import { createLogger, type Logger } from '../ops/logger';
import { boot, type BootSettings } from '../runtime/boot';
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

export function bootSettings(config: Config): BootSettings {
  return {
    database: {
      url: config.database.url,
      migrationUrl: config.database.migration_url,
      dataDir: config.data_dir,
      poolMax: config.database.pool_max,
      backgroundPoolMax: config.database.background_pool_max,
      connectTimeoutMs: config.database.connect_timeout,
      statementTimeoutMs: config.database.statement_timeout,
      idleInTransactionTimeoutMs: config.database.idle_in_transaction_timeout,
      autoSetup: config.database.auto_setup,
    },
    pollIntervalMs: config.eventstore.poll_interval,
    jobLeaseMs: config.workers.lease,
    heartbeatMs: config.workers.heartbeat_interval,
    takeoverAfterMs: config.workers.takeover_after,
    audit: { enabled: config.audit.enabled, hmacSecret: config.audit.hmac_secret },
    email: { send: config.notifications.enabled && config.smtp.enabled, retryLimit: config.notifications.retry_limit, retryDelayMs: config.notifications.retry_delay },
  };
}

/** Boots the runtime for a one-shot command, runs it, and always closes what it opened. */
export async function withRuntime<T>(opts: GlobalOptions, fn: (rt: Runtime, config: Config) => Promise<T>, overrides: { autoSetup?: boolean } = {}): Promise<T> {
  const { config } = readConfig(opts);
  const log = loggerFor(config, opts);
  const settings = bootSettings(config);
  if (overrides.autoSetup !== undefined) settings.database.autoSetup = overrides.autoSetup;
  const rt = await boot(settings, log);
  try {
    return await fn(rt, config);
  } finally {
    await rt.close();
  }
}

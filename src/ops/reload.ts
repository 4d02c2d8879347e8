import { type Config, ConfigError, loadConfig } from '../config';
import type { Logger } from './logger';

/**
 * SIGHUP: re-read the configuration file and apply the safe subset (log level, metrics toggle and
 * token, notifications); everything else needs a restart, and the log says which keys changed.
 * An invalid file changes nothing.
 */
const SAFE = ['logging.level', 'metrics.enabled', 'metrics.token', 'notifications.enabled'];

export function reloadConfig(path: string | undefined, current: Config, log: Logger): Config | null {
  if (!path) {
    log.info('SIGHUP: running on embedded defaults, there is no configuration file to reload');
    return null;
  }
  let next: Config;
  try {
    next = loadConfig({ file: path, env: process.env });
  } catch (e) {
    log.error({ errors: e instanceof ConfigError ? e.errors : [(e as Error).message] }, 'SIGHUP: configuration not reloaded: the file is invalid');
    return null;
  }
  const changed = diffKeys(current, next);
  const applied = changed.filter((k) => SAFE.includes(k));
  const needRestart = changed.filter((k) => !SAFE.includes(k));
  if (applied.includes('logging.level')) log.level = next.logging.level;
  if (applied.length === 0) log.info('SIGHUP: no safe-to-reload changes detected');
  else log.info({ applied }, 'SIGHUP: configuration reloaded');
  if (needRestart.length > 0) log.warn({ keys: needRestart }, 'SIGHUP: these changes need a restart and were not applied');
  // Only the safe keys take the new values; the rest keeps running as started.
  const merged = structuredClone(current) as Config;
  merged.logging.level = next.logging.level;
  merged.metrics = next.metrics;
  merged.notifications = next.notifications;
  return merged;
}

function diffKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(a) || Array.isArray(b)) {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => k !== 'written'));
  return [...keys].flatMap((k) => diffKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
}

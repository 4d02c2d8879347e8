import { type Config, ConfigError, loadConfig } from '../config';
import { getAt, setAt } from '../config/convert';
import type { Logger } from './logger';

/**
 * SIGHUP: re-read the configuration file and apply the keys the running process reads live;
 * every other changed key needs a restart, and the log names them. An invalid file changes nothing.
 *
 * Who reads each live key after a reload: the logger (logging.level), the /metrics route
 * (metrics.enabled, metrics.token) and the expiration-warnings task of the scheduler (its interval
 * and thresholds, src/jobs/periodic-tasks.ts). notifications.enabled, templates_dir and the
 * retry keys stay as booted: email delivery and its job queue are set up once at start.
 */
export const RELOADABLE_KEYS = [
  'logging.level',
  'metrics.enabled',
  'metrics.token',
  'notifications.expiration_warning',
  'notifications.expiration_warning_days',
  'notifications.expiration_check_interval',
] as const;

const RELOADABLE: readonly string[] = RELOADABLE_KEYS;

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
  const applied = changed.filter((k) => RELOADABLE.includes(k));
  const needRestart = changed.filter((k) => !RELOADABLE.includes(k));
  if (applied.includes('logging.level')) log.level = next.logging.level;
  if (applied.length === 0) log.info({ reloadable: RELOADABLE }, 'SIGHUP: no changes to keys that reload');
  else log.info({ applied }, 'SIGHUP: configuration reloaded');
  if (needRestart.length > 0) log.warn({ keys: needRestart }, 'SIGHUP: these changes need a restart and were not applied');
  // Only the reloadable keys take the new values; the rest keeps running as started.
  const merged = structuredClone(current) as Config;
  for (const key of RELOADABLE) setAt(merged as unknown as Record<string, unknown>, key, structuredClone(getAt(next, key)));
  return merged;
}

function diffKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(a) || Array.isArray(b)) {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => k !== 'written'));
  return [...keys].flatMap((k) => diffKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
}

import { isAbsolute, resolve } from 'node:path';
import type { Problems } from './problems';
import { MAX_TIMER_MS } from './schema';
import { describeConfigKeys } from './schema-walk';
import { parseDuration, parseSize } from './units';

const UNIT_KEYS = describeConfigKeys().filter((k) => k.unit);

/**
 * Durations to milliseconds, sizes to bytes, relative paths to absolute ones (against the
 * configuration file's folder). Returns each duration as the operator wrote it, keyed by dotted
 * key, so messages can quote "45s" rather than 45000.
 */
export function convertUnits(data: Record<string, unknown>, problems: Problems, baseDir: string): Record<string, string> {
  const written: Record<string, string> = {};
  for (const k of UNIT_KEYS) {
    if (!problems.isClean(k.key)) continue;
    const value = getAt(data, k.key);
    if (typeof value !== 'string') continue;
    if (k.unit === 'duration') {
      const ms = parseDuration(value);
      const zero = String(k.schema['x-zero']);
      if (ms === null) problems.add(k.key, `invalid duration '${value}' (use e.g. 30s, 5m, 1h, 7d)`);
      else if (ms === 0 && zero !== 'allowed') problems.add(k.key, `must be greater than 0: ${zero}`);
      else if (k.schema['x-timer'] && ms > MAX_TIMER_MS) {
        problems.add(k.key, `'${value}' is too long: at most 24d (Node.js timers and PostgreSQL timeouts cannot hold a longer delay)`);
      } else {
        written[k.key] = value;
        setAt(data, k.key, ms);
      }
    } else if (k.unit === 'size') {
      const bytes = parseSize(value);
      const min = Number(k.schema['x-min-bytes'] ?? 1);
      if (bytes === null) problems.add(k.key, `invalid size '${value}' (use e.g. 64kb, 1mb, or a number of bytes)`);
      else if (bytes < min) problems.add(k.key, `must be at least ${min} byte${min === 1 ? '' : 's'}, got '${value}'`);
      else setAt(data, k.key, bytes);
    } else if (k.unit === 'path') {
      setAt(data, k.key, isAbsolute(value) ? value : resolve(baseDir, value));
    }
  }
  return written;
}

export function getAt(obj: unknown, dotted: string): unknown {
  let v = obj;
  for (const k of dotted.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export function setAt(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, obj);
  parent[last] = value;
}

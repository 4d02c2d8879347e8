import type { ErrorObject } from 'ajv';
import { childPath } from './problems';
import { CONFIG_SCHEMA, type Schema } from './schema';
import { schemaAt } from './schema-walk';

/**
 * ajv's errors in the words of the configuration file: "must be an integer, got string 'abc'"
 * rather than "must be integer". Returns null for errors that only repeat another one (the
 * failed branches of an anyOf, which the anyOf line itself explains).
 */
export function describeSchemaError(e: ErrorObject, data: unknown): { path: string; reason: string } | null {
  if (e.schemaPath.includes('/anyOf/')) return null;
  const at = keyPath(e.instancePath);
  const schema = schemaAt(at) ?? {};
  const value = valueAt(data, e.instancePath);
  const got = describeValue(value, Boolean(schema['x-secret']));
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(e.params.additionalProperty);
      const known = Object.keys(((at ? schemaAt(at) : CONFIG_SCHEMA)?.properties ?? {}) as Record<string, Schema>);
      const near = closest(name, known);
      return { path: childPath(at, name), reason: `unknown key${near ? ` (did you mean '${near}'?)` : ''}` };
    }
    case 'required':
      return { path: childPath(at, String(e.params.missingProperty)), reason: 'is required' };
    case 'type':
      return { path: at, reason: `must be ${typeWords(String(e.params.type))}, got ${got}` };
    case 'enum':
      return { path: at, reason: `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')} (got ${got})` };
    case 'pattern':
      return { path: at, reason: `must be ${String(schema['x-hint'] ?? `text matching ${String(e.params.pattern)}`)}, got ${got}` };
    case 'minimum':
      return { path: at, reason: `must be at least ${e.params.limit}, got ${String(value)}` };
    case 'maximum':
      return { path: at, reason: `must be at most ${e.params.limit}, got ${String(value)}` };
    case 'minLength':
      return { path: at, reason: e.params.limit === 1 ? 'must not be empty' : `must be at least ${e.params.limit} characters long` };
    case 'minItems':
      return { path: at, reason: `must list at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}` };
    case 'anyOf':
      return { path: at, reason: `must be ${String(schema['x-expect'] ?? 'one of the documented forms')}, got ${got}` };
    default:
      return { path: at, reason: e.message ?? `fails the ${e.keyword} rule` };
  }
}

/** `/validation/resolvers/1` -> `validation.resolvers[1]`. */
export function keyPath(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = /^\d+$/.test(seg) ? childPath(out, Number(seg)) : childPath(out, seg);
  }
  return out;
}

function valueAt(data: unknown, instancePath: string): unknown {
  let v: unknown = data;
  for (const raw of instancePath.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

export function describeValue(value: unknown, secret = false): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (secret) return `a ${typeof value} (not shown)`;
  const text = String(value);
  return `${typeof value} '${text.length > 60 ? `${text.slice(0, 57)}...` : text}'`;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  string: 'a string',
  object: 'a mapping',
  array: 'a list',
  null: 'unset',
};

function typeWords(types: string): string {
  const words = types.split(',').filter((t) => t !== 'null').map((t) => TYPE_WORDS[t] ?? t);
  return words.join(' or ') || 'unset';
}

/** The known key a typo most likely meant, if one is close enough to suggest. */
function closest(name: string, known: string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const key of known) {
    if (key === '_comment') continue;
    const d = editDistance(name.toLowerCase(), key);
    if (!best || d < best.d) best = { key, d };
  }
  return best && best.d <= Math.max(1, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

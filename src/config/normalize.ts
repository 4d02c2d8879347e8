import { childPath, type Problems } from './problems';
import type { Schema } from './schema';

/**
 * Settles empty values before the schema sees them, because ajv's type coercion would turn them
 * into silent zeros ("pool_max:" with no value would become 0):
 * - a section written with nothing under it (`server:` whose keys are all commented out) is an
 *   empty section, so its defaults apply;
 * - an empty string on a key that may be unset is unset, so `${METRICS_TOKEN:-}` means "no token";
 * - an empty value on any other key is refused, naming the default that removing the key gives.
 */
export function normalizeEmpty(data: Record<string, unknown>, schema: Schema, problems: Problems, path = ''): void {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [name, s] of Object.entries(properties)) {
    if (!(name in data)) continue;
    const at = childPath(path, name);
    const value = data[name];
    if (s.type === 'object') {
      if (value === null) data[name] = {};
      else if (value && typeof value === 'object' && !Array.isArray(value)) normalizeEmpty(value as Record<string, unknown>, s, problems, at);
      continue;
    }
    const nullable = Array.isArray(s.type) && s.type.includes('null');
    if (value === '' && nullable) data[name] = null;
    else if (value === null && !nullable) {
      problems.add(at, `has no value (remove the key to use the default ${JSON.stringify(s.default)})`);
      delete data[name];
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (item === null) problems.add(childPath(at, i), 'has no value (remove the empty list item)');
      });
    }
  }
}

import { CONFIG_SCHEMA } from './schema';

type Schema = Record<string, any>;

export interface KeyDescription {
  key: string;
  type: string;
  default: unknown;
  description: string;
  unit?: 'duration' | 'size' | 'path';
}

/** Every leaf key of the schema with its type, default and description (docs, tests, conversion). */
export function describeConfigKeys(schema: Schema = CONFIG_SCHEMA, prefix = ''): KeyDescription[] {
  const out: KeyDescription[] = [];
  for (const [name, s] of Object.entries<Schema>(schema.properties ?? {})) {
    if (name === '_comment') continue;
    const key = prefix ? `${prefix}.${name}` : name;
    if (s.type === 'object') {
      out.push(...describeConfigKeys(s, key));
      continue;
    }
    out.push({ key, type: typeName(s), default: s.default, description: s.description ?? '', ...(s['x-unit'] ? { unit: s['x-unit'] } : {}) });
  }
  return out;
}

function typeName(s: Schema): string {
  if (s['x-unit']) return s['x-unit'];
  if (s.enum) return s.enum.join(' \\| ');
  if (s.anyOf) return s.anyOf.map((a: Schema) => (a.const !== undefined ? JSON.stringify(a.const) : a.type)).join(' \\| ');
  if (s.type === 'array') return `list of ${s.items?.type ?? 'any'}`;
  return Array.isArray(s.type) ? s.type.filter((t: string) => t !== 'null').join(' \\| ') : s.type;
}

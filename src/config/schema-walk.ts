import { CONFIG_SCHEMA, type Schema } from './schema';

export interface KeyDescription {
  /** Dotted key, e.g. `server.shutdown_timeout`. */
  key: string;
  /** Plain type name: string, integer, boolean, duration, size, path, `a | b` for enums, `list of string`. */
  type: string;
  /** The default as written in a configuration file (durations and sizes as text); null = unset. */
  default: unknown;
  description: string;
  unit?: 'duration' | 'size' | 'path';
  /** Schema of the key itself, for the loader's annotations (x-zero, x-timer, x-secret...). */
  schema: Schema;
}

/** Every leaf key of the schema, in schema order, with its type, default and description. */
export function describeConfigKeys(schema: Schema = CONFIG_SCHEMA, prefix = ''): KeyDescription[] {
  const out: KeyDescription[] = [];
  for (const [name, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    if (name === '_comment') continue;
    const key = prefix ? `${prefix}.${name}` : name;
    if (s.type === 'object') {
      out.push(...describeConfigKeys(s, key));
      continue;
    }
    const unit = s['x-unit'] as KeyDescription['unit'];
    out.push({ key, type: typeName(s), default: s.default ?? null, description: String(s.description ?? ''), ...(unit ? { unit } : {}), schema: s });
  }
  return out;
}

/** The sections of the schema (top-level objects), with their description, for the docs. */
export function describeConfigSections(): Array<{ name: string; description: string }> {
  return Object.entries(CONFIG_SCHEMA.properties as Record<string, Schema>)
    .filter(([, s]) => s.type === 'object')
    .map(([name, s]) => ({ name, description: String(s.description ?? '') }));
}

/** The schema of a dotted key (list indexes skipped), or undefined for a key the schema lacks. */
export function schemaAt(dotted: string): Schema | undefined {
  let s: Schema | undefined = CONFIG_SCHEMA;
  for (const part of dotted.replace(/\[\d+\]/g, '').split('.')) {
    s = (s?.properties as Record<string, Schema> | undefined)?.[part];
    if (!s) return undefined;
  }
  return s;
}

function typeName(s: Schema): string {
  if (s['x-unit']) return String(s['x-unit']);
  if (Array.isArray(s.enum)) return s.enum.join(' | ');
  if (Array.isArray(s.anyOf)) return s.anyOf.map((a: Schema) => (a.const !== undefined ? JSON.stringify(a.const) : a.type)).join(' | ');
  if (s.type === 'array') return `list of ${(s.items as Schema | undefined)?.type ?? 'any'}`;
  return Array.isArray(s.type) ? s.type.filter((t: string) => t !== 'null').join(' | ') : String(s.type);
}

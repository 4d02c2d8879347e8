import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { ConfigError } from './errors';
import { CONFIG_SCHEMA } from './schema';
import { describeConfigKeys } from './schema-walk';
import { substituteEnv } from './substitute';
import type { Config } from './types';
import { parseDuration, parseSize } from './units';
import { crossFieldErrors } from './cross-field';

type Env = Record<string, string | undefined>;

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: false });
const validateSchema = ajv.compile(CONFIG_SCHEMA);
const UNIT_KEYS = describeConfigKeys().filter((k) => k.unit);

/** `-c FILE` wins, then CERTLEDGER_CONFIG; undefined means the embedded defaults. */
export function resolveConfigPath(cliPath: string | undefined, env: Env): string | undefined {
  const p = cliPath ?? env.CERTLEDGER_CONFIG;
  return p ? resolve(p) : undefined;
}

export function loadConfig(opts: { file?: string; env: Env }): Config {
  if (!opts.file) return validateConfigObject({}, opts.env, process.cwd());
  return validateConfigObject(readYaml(opts.file), opts.env, dirname(resolve(opts.file)));
}

function readYaml(file: string): unknown {
  if (!existsSync(file)) throw new ConfigError([`${file}: configuration file does not exist`]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`${file}: cannot read the configuration file: ${(e as Error).message}`]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return `${file}${at ? `:${at.line}:${at.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const value = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError([`${file}: the configuration must be a YAML mapping of sections`]);
  return value;
}

/** Substitution, schema validation with defaults, unit conversion and cross-field checks; all errors together. */
export function validateConfigObject(raw: unknown, env: Env, baseDir: string): Config {
  const errors: string[] = [];
  const data = substituteEnv(raw, env, errors) as Record<string, any>;
  if (!validateSchema(data)) {
    const schemaErrors = validateSchema.errors ?? [];
    errors.push(...dedupe(schemaErrors.map((e) => describeAjvError(e, data))));
    // Unknown keys leave the known ones typed: keep checking so every problem shows at once.
    if (schemaErrors.some((e) => e.keyword !== 'additionalProperties')) throw new ConfigError(errors);
  }
  if (errors.some((e) => / is not set and has no default/.test(e))) throw new ConfigError(errors);

  const written: Record<string, string> = {};
  for (const k of UNIT_KEYS) {
    const value = getAt(data, k.key);
    if (value === null || value === undefined) continue;
    if (k.unit === 'duration') {
      const ms = parseDuration(String(value));
      if (ms === null) errors.push(`${k.key}: invalid duration '${value}' (use e.g. 500ms, 30s, 5m, 1h, 7d)`);
      else if (ms === 0) errors.push(`${k.key}: must be greater than zero (a zero ${k.description.split(' ')[0]} would make every operation fail)`);
      else {
        written[k.key] = String(value);
        setAt(data, k.key, ms);
      }
    } else if (k.unit === 'size') {
      const bytes = parseSize(String(value));
      if (bytes === null || bytes === 0) errors.push(`${k.key}: invalid size '${value}' (use e.g. 64kb, 1mb)`);
      else setAt(data, k.key, bytes);
    } else if (k.unit === 'path') {
      setAt(data, k.key, isAbsolute(String(value)) ? String(value) : resolve(baseDir, String(value)));
    }
  }
  if (!data.database.url && env.DATABASE_URL) data.database.url = env.DATABASE_URL;
  if (data.server.workers === 'auto') data.server.workers = cpus().length;
  if (!data.server.external_url) data.server.external_url = defaultExternalUrl(data.server.listen, Boolean(data.server.tls.cert_file));
  if (data.crl.enabled && !data.ca.crl_url) data.ca.crl_url = `${String(data.server.external_url).replace(/\/$/, '')}${data.crl.path}`;
  errors.push(...crossFieldErrors(data, written));
  if (errors.length > 0) throw new ConfigError(errors);
  delete data._comment;
  return { ...data, written } as Config;
}

function defaultExternalUrl(listen: string, tls: boolean): string {
  const m = /^(.*):(\d+)$/.exec(listen)!;
  let host = m[1];
  if (host === '0.0.0.0' || host === '::' || host === '[::]') host = 'localhost';
  return `${tls ? 'https' : 'http'}://${host}:${m[2]}`;
}

function pathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
}

function describeAjvError(e: ErrorObject, data: unknown): string {
  const at = pathOf(e.instancePath);
  const value = e.instancePath ? getAt(data, at.replace(/\[(\d+)\]/g, '.$1')) : data;
  const got = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `${typeof value} '${String(value)}'`;
  const key = (suffix: string) => (at ? `${at}.${suffix}` : suffix);
  switch (e.keyword) {
    case 'additionalProperties':
      return `${key(String(e.params.additionalProperty))}: unknown key`;
    case 'required':
      return `${key(String(e.params.missingProperty))}: is required`;
    case 'type':
      return `${at}: must be ${articled(String(e.params.type))}, got ${got}`;
    case 'enum':
      return `${at}: must be one of: ${(e.params.allowedValues as unknown[]).join(', ')} (got ${got})`;
    case 'pattern':
      return `${at}: ${got} does not have the expected form (${hintFor(at)})`;
    case 'minimum':
    case 'maximum':
      return `${at}: must be ${e.keyword === 'minimum' ? '>=' : '<='} ${e.params.limit}, got ${String(value)}`;
    case 'anyOf':
      return `${at}: must be ${at === 'server.workers' ? 'an integer from 1 to 256 or "auto"' : 'a string or a list of strings'}, got ${got}`;
    default:
      return `${at || '(root)'}: ${e.message}`;
  }
}

function hintFor(key: string): string {
  if (key === 'server.listen') return 'host:port, e.g. 0.0.0.0:4000';
  if (key.endsWith('key_passphrase_env')) return 'an environment variable name';
  return 'see docs/configuration.md';
}

const articled = (t: string) => (t.includes(',') ? t.replace(/,/g, ' or ') : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** ajv reports an anyOf failure once per branch too; keep one line per key and reason. */
function dedupe(lines: string[]): string[] {
  const anyOfKeys = new Set(lines.filter((l) => / must be (an integer from|a string or a list)/.test(l)).map((l) => l.split(':')[0]));
  return [...new Set(lines)].filter((l) => !anyOfKeys.has(l.split(':')[0]) || / must be (an integer from|a string or a list)/.test(l));
}

function getAt(obj: any, dotted: string): any {
  return dotted.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function setAt(obj: any, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  const last = keys.pop()!;
  keys.reduce((o, k) => o[k], obj)[last] = value;
}

import Ajv from 'ajv';
import { convertUnits } from './convert';
import { checkCrossField } from './cross-field';
import { deriveDefaults } from './derive';
import { ConfigError } from './errors';
import { normalizeEmpty } from './normalize';
import { Problems } from './problems';
import { refuseRemovedKeys } from './removed-keys';
import { ANNOTATIONS, CONFIG_SCHEMA } from './schema';
import { describeSchemaError } from './schema-messages';
import { substituteEnv } from './substitute';
import type { Config } from './types';

type Env = Record<string, string | undefined>;

// coerceTypes: values substituted from the environment are strings; "5432" must pass as an
// integer and "true" as a boolean. strict mode catches mistakes in the schema itself.
const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: true, allowUnionTypes: true });
ajv.addVocabulary(ANNOTATIONS);
const validateSchema = ajv.compile(CONFIG_SCHEMA);

/**
 * Turns a parsed configuration (a YAML mapping as plain data) into a typed Config:
 * substitution, removed keys, empty values, schema with defaults, units, derived defaults, rules between keys.
 * Every problem of every step is reported together in one ConfigError. Relative paths are
 * resolved against `baseDir` (the configuration file's folder; the current folder by default).
 */
export function validateConfigObject(raw: unknown, env: Env, baseDir: string = process.cwd()): Config {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(['(root): the configuration must be a mapping of sections (server:, database:, ...)']);
  }
  const problems = new Problems();
  const data = substituteEnv(raw, env, problems) as Record<string, any>;
  refuseRemovedKeys(data, problems);
  normalizeEmpty(data, CONFIG_SCHEMA, problems);

  if (!validateSchema(data)) {
    for (const e of validateSchema.errors ?? []) {
      const p = describeSchemaError(e, data);
      // A key whose substitution failed holds the unreplaced "${VAR}": its type error is noise.
      if (p && (e.keyword === 'additionalProperties' || problems.isClean(p.path))) problems.add(p.path, p.reason);
    }
  }

  const written = convertUnits(data, problems, baseDir);
  deriveDefaults(data, env, problems);
  checkCrossField(data, written, env, problems);
  if (problems.count > 0) throw new ConfigError(problems.messages());

  delete data._comment;
  return { ...data, written } as Config;
}

/**
 * `${VAR}` and `${VAR:-default}` in every string of the parsed YAML, nested maps and lists
 * included, also inside longer strings. Runs before schema validation, so substituted values are
 * type-checked (and "5432" is coerced to an integer by the schema). `$${` writes a literal `${`.
 * `${VAR:-default}` takes the default only when VAR is unset: set-but-empty gives "".
 */
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function substituteEnv(value: unknown, env: Record<string, string | undefined>, errors: string[], path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const v = env[name!];
      if (v !== undefined) return v;
      if (fallback !== undefined) return fallback;
      errors.push(`${path || '(root)'}: environment variable ${name} is not set and has no default (write \${${name}:-default} to give one)`);
      return match;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, errors, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, errors, path ? `${path}.${k}` : k)]),
    );
  }
  return value;
}

import { childPath, type Problems } from './problems';

/**
 * `${VAR}` and `${VAR:-default}` in every string of the parsed YAML, nested maps and lists
 * included, also inside longer strings. Runs before schema validation, so substituted values are
 * type-checked (and "5432" is coerced to an integer by the schema). `$${` writes a literal `${`.
 * `${VAR:-default}` takes the default only when VAR is unset: set-but-empty gives "".
 * Substituted text is not scanned again, so a value holding `${` stays as it is.
 * A `${` that is not a well-formed reference is refused rather than left in place: a typo such as
 * `${DB-PASSWORD}` would otherwise reach the database as a literal password.
 */
const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

type Env = Record<string, string | undefined>;

export function substituteEnv(value: unknown, env: Env, problems: Problems, path = ''): unknown {
  if (typeof value === 'string') return substituteString(value, env, problems, path);
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, problems, childPath(path, i)));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, path === '' && k === '_comment' ? v : substituteEnv(v, env, problems, childPath(path, k))]),
    );
  }
  return value;
}

function substituteString(text: string, env: Env, problems: Problems, path: string): string {
  const at = path || '(root)';
  return text.replace(TOKEN, (match: string, inner: string | undefined, offset: number) => {
    if (match === '$${') return '${';
    if (inner === undefined) {
      problems.add(at, `unterminated reference '${text.slice(offset)}' (write \${NAME}, \${NAME:-default}, or $\${ for a literal \${)`);
      return match;
    }
    const ref = REFERENCE.exec(inner);
    if (!ref) {
      problems.add(at, `malformed reference '${match}' (write \${NAME} or \${NAME:-default} with NAME made of letters, digits and _; $\${ for a literal \${)`);
      return match;
    }
    const [, name, fallback] = ref;
    const v = env[name];
    if (v !== undefined) return v;
    if (fallback !== undefined) return fallback;
    problems.add(at, `environment variable ${name} is not set and has no default (write \${${name}:-default} to give one)`);
    return match;
  });
}

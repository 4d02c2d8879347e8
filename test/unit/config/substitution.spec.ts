import { errorsOf, load } from './config-files';

describe('environment substitution', () => {
  test('an unset variable without default names the variable and the key that used it', () => {
    expect(errorsOf('database:\n  url: postgres://app:${DB_PASSWORD}@db/acme\n')).toEqual([
      'database.url: environment variable DB_PASSWORD is not set and has no default (write ${DB_PASSWORD:-default} to give one)',
    ]);
  });

  test('the key path of a list item carries its index', () => {
    expect(errorsOf('validation:\n  resolvers: ["10.0.0.1:53", "${DNS2}"]\n')).toEqual([
      expect.stringMatching(/^validation\.resolvers\[1\]: environment variable DNS2 is not set/),
    ]);
  });

  test('the default is used when the variable is unset', () => {
    expect(load('logging:\n  level: ${LOG_LEVEL:-debug}\n').logging.level).toBe('debug');
  });

  test('a set variable wins over the default', () => {
    expect(load('logging:\n  level: ${LOG_LEVEL:-debug}\n', { LOG_LEVEL: 'warn' }).logging.level).toBe('warn');
  });

  test('set-but-empty gives "", not the default', () => {
    const c = load('smtp:\n  username: "${SMTP_USER:-fallback}"\n  from: "x${EMPTY:-fallback}y"\n', { SMTP_USER: '', EMPTY: '' });
    // smtp.username may be unset, so "" reads as unset; inside a longer string "" is just removed.
    expect(c.smtp.username).toBeNull();
    expect(c.smtp.from).toBe('xy');
  });

  test('${VAR:-} gives an empty string, which on an optional key means unset', () => {
    expect(load('metrics:\n  token: ${METRICS_TOKEN:-}\n').metrics.token).toBeNull();
  });

  test('several references inside one longer string', () => {
    const c = load('database:\n  url: postgres://${DB_USER}@db:${DB_PORT:-5432}/acme\n', { DB_USER: 'svc' });
    expect(c.database.url).toBe('postgres://svc@db:5432/acme');
  });

  test('references in list items and nested sections', () => {
    const c = load('validation:\n  resolvers:\n    - ${DNS1}\n    - "${DNS2:-127.0.0.1:8053}"\nca:\n  internal:\n    key_type: ${CA_KEY:-rsa-2048}\n', { DNS1: '10.0.0.1:53' });
    expect(c.validation.resolvers).toEqual(['10.0.0.1:53', '127.0.0.1:8053']);
    expect(c.ca.internal.key_type).toBe('rsa-2048');
  });

  test('$${ writes a literal ${ and is not substituted', () => {
    const c = load('acme:\n  terms_of_service: "https://x.example/$${HOME}/tos"\n', { HOME: '/root' });
    expect(c.acme.terms_of_service).toBe('https://x.example/${HOME}/tos');
  });

  test('a substituted value is not scanned again', () => {
    expect(load('smtp:\n  password: ${P}\n', { P: '${OTHER}' }).smtp.password).toBe('${OTHER}');
  });

  test('a malformed or unterminated reference is refused, not kept as text', () => {
    expect(errorsOf('database:\n  url: postgres://app:${DB-PASSWORD}@db/acme\nsmtp:\n  from: "${MAIL_FROM"\n')).toEqual([
      expect.stringMatching(/^database\.url: malformed reference '\$\{DB-PASSWORD\}'/),
      expect.stringMatching(/^smtp\.from: unterminated reference '\$\{MAIL_FROM'/),
    ]);
  });

  test('"5432" substituted for an integer key validates as the integer, "true" as a boolean', () => {
    const c = load('validation:\n  http01_port: ${HTTP_PORT:-5002}\n  allow_private_networks: ${PRIVATE}\nserver:\n  workers: ${WORKERS}\n', {
      PRIVATE: 'true',
      WORKERS: '3',
    });
    expect(c.validation.http01_port).toBe(5002);
    expect(c.validation.allow_private_networks).toBe(true);
    expect(c.server.workers).toBe(3);
  });

  test('a substituted value is validated like a written one', () => {
    expect(errorsOf('logging:\n  level: ${LOG_LEVEL:-VERBOSE}\n')).toEqual([
      "logging.level: must be one of: trace, debug, info, warn, error, fatal (got string 'VERBOSE')",
    ]);
    expect(errorsOf('validation:\n  http01_port: ${PORT}\n', { PORT: '' })).toEqual(["validation.http01_port: must be an integer, got string ''"]);
  });

  test('an unset variable on a typed key is reported once, not also as a type error', () => {
    expect(errorsOf('validation:\n  http01_port: ${HTTP_PORT}\n')).toEqual([expect.stringMatching(/^validation\.http01_port: environment variable HTTP_PORT is not set/)]);
  });

  test('the top-level _comment is not substituted', () => {
    expect(() => load('_comment: "set ${DB_PASSWORD} before starting"\n')).not.toThrow();
  });
});

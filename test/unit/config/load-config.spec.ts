import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, resolveConfigPath } from '../../../src/config';

const dir = mkdtempSync(join(tmpdir(), 'certledger-config-'));
let n = 0;
function file(yaml: string): string {
  const p = join(dir, `c${n++}.yaml`);
  writeFileSync(p, yaml);
  return p;
}
function errorsOf(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ file: file(yaml), env });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).errors;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration loading', () => {
  test('no file: embedded defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.server.listen).toBe('127.0.0.1:4000');
    expect(c.server.external_url).toBe('http://127.0.0.1:4000');
    expect(c.database.url).toBeNull();
    expect(c.data_dir).toBe(join(process.cwd(), 'data'));
    expect(c.acme.order_lifetime).toBe(7 * 86_400_000);
    expect(c.validation.http01_port).toBe(80);
    expect(c.ca.backend).toBe('internal');
  });

  test('a partial section keeps the defaults of the keys it omits', () => {
    const c = loadConfig({ file: file('acme:\n  order_lifetime: 1h\n'), env: {} });
    expect(c.acme.order_lifetime).toBe(3_600_000);
    expect(c.acme.authorization_lifetime).toBe(30 * 86_400_000);
  });

  test('DATABASE_URL fills database.url when the file leaves it unset', () => {
    expect(loadConfig({ env: { DATABASE_URL: 'postgres://x@h/db' } }).database.url).toBe('postgres://x@h/db');
  });

  test('-c wins over CERTLEDGER_CONFIG', () => {
    expect(resolveConfigPath('/a.yaml', { CERTLEDGER_CONFIG: '/b.yaml' })).toBe('/a.yaml');
    expect(resolveConfigPath(undefined, { CERTLEDGER_CONFIG: '/b.yaml' })).toBe('/b.yaml');
    expect(resolveConfigPath(undefined, {})).toBeUndefined();
  });

  describe('environment substitution', () => {
    test('a missing variable names the variable and the key that used it', () => {
      const errors = errorsOf('database:\n  url: postgres://app:${DB_PASSWORD}@db/acme\n');
      expect(errors).toEqual([expect.stringMatching(/^database\.url: environment variable DB_PASSWORD is not set and has no default/)]);
    });

    test('defaults, set-but-empty, inside longer strings, in lists, and the $${ escape', () => {
      const c = loadConfig({
        file: file(
          [
            'database:',
            '  url: postgres://${DB_USER:-app}@db:${DB_PORT:-5432}/acme',
            'validation:',
            '  resolvers: ["${DNS1}", "${DNS2:-127.0.0.1:8053}"]',
            'acme:',
            '  website: "${SITE:-https://default.example}"',
            '  terms_of_service: "https://x.example/$${literal}"',
          ].join('\n'),
        ),
        env: { DB_USER: 'svc', DNS1: '10.0.0.1:53', SITE: '' },
      });
      expect(c.database.url).toBe('postgres://svc@db:5432/acme');
      expect(c.validation.resolvers).toEqual(['10.0.0.1:53', '127.0.0.1:8053']);
      expect(c.acme.website).toBe('');
      expect(c.acme.terms_of_service).toBe('https://x.example/${literal}');
    });

    test('a substituted "5432" validates as an integer, "true" as a boolean', () => {
      const c = loadConfig({
        file: file('validation:\n  http01_port: ${HTTP_PORT:-5002}\n  allow_private_networks: ${PRIVATE}\n'),
        env: { PRIVATE: 'true' },
      });
      expect(c.validation.http01_port).toBe(5002);
      expect(c.validation.allow_private_networks).toBe(true);
    });

    test('a substituted value is validated like a written one', () => {
      expect(errorsOf('logging:\n  level: ${LOG_LEVEL:-VERBOSE}\n')).toEqual([
        "logging.level: must be one of: trace, debug, info, warn, error, fatal (got string 'VERBOSE')",
      ]);
    });
  });

  describe('validation errors', () => {
    test('wrong type', () => {
      expect(errorsOf('validation:\n  http01_port: eighty\n')).toEqual(["validation.http01_port: must be an integer, got string 'eighty'"]);
    });

    test('unknown keys at the top and nested', () => {
      expect(errorsOf('servr: {}\nserver:\n  lisen: 0.0.0.0:80\n').sort()).toEqual(['server.lisen: unknown key', 'servr: unknown key']);
    });

    test('bad and zero durations', () => {
      expect(errorsOf('acme:\n  order_lifetime: 7days\nvalidation:\n  timeout: 0s\n')).toEqual([
        "acme.order_lifetime: invalid duration '7days' (use e.g. 500ms, 30s, 5m, 1h, 7d)",
        expect.stringMatching(/^validation\.timeout: must be greater than zero/),
      ]);
    });

    test('a number where a duration is expected says which units to use', () => {
      expect(errorsOf('server:\n  shutdown_timeout: 30\n')).toEqual([
        "server.shutdown_timeout: invalid duration '30' (use e.g. 500ms, 30s, 5m, 1h, 7d)",
      ]);
    });

    test('all errors are reported together, with list indexes in paths', () => {
      const errors = errorsOf('server:\n  listen: nowhere\nvalidation:\n  resolvers: ["ok:53", "bad host"]\n  max_redirects: 50\nca:\n  backend: vault\n');
      expect(errors).toHaveLength(4);
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^server\.listen: string 'nowhere' does not have the expected form/),
          expect.stringMatching(/^validation\.resolvers\[1\]: /),
          'validation.max_redirects: must be <= 10, got 50',
          "ca.backend: must be one of: internal (got string 'vault')",
        ]),
      );
    });

    test('shutdown_timeout above drain_timeout is refused with the values as written', () => {
      const errors = errorsOf('server:\n  shutdown_timeout: 45s\nworkers:\n  drain_timeout: 30s\n');
      expect(errors).toEqual([
        'server.shutdown_timeout (45s) must be ≤ workers.drain_timeout (30s):\n' +
          'in-flight HTTP handlers can enqueue jobs after the engine has stopped\ndraining',
      ]);
    });

    test('external_url with a trailing slash, or not a URL', () => {
      expect(errorsOf('server:\n  external_url: https://acme.example.com/\n')).toEqual([
        "server.external_url: must not end with '/' (got 'https://acme.example.com/')",
      ]);
      expect(errorsOf('server:\n  external_url: acme.example.com\n')[0]).toMatch(/^server\.external_url: must be an absolute/);
    });

    test('half-configured pairs and short admin secret', () => {
      const errors = errorsOf('server:\n  tls:\n    cert_file: a.pem\nadmin:\n  enabled: true\n  token_secret: short\n');
      expect(errors).toEqual([
        'server.tls: cert_file and key_file must be given together',
        'admin.token_secret: must be at least 32 characters when admin.enabled is true (got 5)',
      ]);
    });

    test('missing file and YAML syntax errors name the file', () => {
      expect(() => loadConfig({ file: join(dir, 'nope.yaml'), env: {} })).toThrow(/nope\.yaml: configuration file does not exist/);
      const p = file('server:\n  listen: [unclosed\n');
      expect(() => loadConfig({ file: p, env: {} })).toThrow(new RegExp(`${p.replace(/[.]/g, '\\.')}:\\d+:\\d+: invalid YAML`));
    });

    test('a top-level _comment is accepted', () => {
      expect(() => loadConfig({ file: file('_comment: ["production", "eu-west"]\n'), env: {} })).not.toThrow();
    });

    test('relative paths resolve against the configuration file folder', () => {
      const c = loadConfig({ file: file('data_dir: state\n'), env: {} });
      expect(c.data_dir).toBe(join(dir, 'state'));
    });
  });
});

import { cpus } from 'node:os';
import { ConfigError, validateConfigObject } from '../../../src/config';
import { errorsFrom, errorsOf, load } from './config-files';

describe('schema validation', () => {
  test('wrong type, in plain words', () => {
    expect(errorsOf('validation:\n  http01_port: eighty\n  allow_private_networks: yes\n')).toEqual([
      "validation.http01_port: must be an integer, got string 'eighty'",
      "validation.allow_private_networks: must be true or false, got string 'yes'",
    ]);
  });

  test('a section that is not a mapping', () => {
    expect(errorsOf('server: 8080\n')).toEqual(["server: must be a mapping, got number '8080'"]);
  });

  test('enum violation lists the allowed values', () => {
    expect(errorsOf('logging:\n  format: xml\n')).toEqual(["logging.format: must be one of: json, pretty (got string 'xml')"]);
  });

  test('unknown keys at the top and nested are named, with a suggestion when one is close', () => {
    expect(errorsOf('servr: {}\nserver:\n  lisen: 0.0.0.0:80\nca:\n  internal:\n    frobnicate: 1\n')).toEqual([
      "servr: unknown key (did you mean 'server'?)",
      "server.lisen: unknown key (did you mean 'listen'?)",
      'ca.internal.frobnicate: unknown key',
    ]);
  });

  test('a pattern failure says what the value should look like', () => {
    expect(errorsOf('server:\n  listen: nowhere\n')).toEqual(["server.listen: must be host:port with a port up to 65535, e.g. 0.0.0.0:4000 or [::]:4000, got string 'nowhere'"]);
    expect(errorsOf('server:\n  listen: 127.0.0.1:65536\n')).toEqual([expect.stringMatching(/^server\.listen: must be host:port/)]);
    expect(load('server:\n  listen: 127.0.0.1:65535\n').server.listen).toBe('127.0.0.1:65535');
  });

  test('ranges and alternatives', () => {
    expect(errorsOf('validation:\n  max_redirects: 50\nserver:\n  workers: many\n')).toEqual([
      "server.workers: must be an integer from 1 to 256 or \"auto\", got string 'many'",
      'validation.max_redirects: must be at most 10, got 50',
    ]);
  });

  test('workers "auto" is the number of CPUs, one fewer with the embedded database, and the default', () => {
    const embedded = Math.max(1, cpus().length - 1);
    expect(load('server:\n  workers: auto\n').server.workers).toBe(embedded);
    expect(load('').server.workers).toBe(embedded);
    expect(load('database:\n  url: postgres://db.example/ca\n').server.workers).toBe(cpus().length);
    expect(load('', { DATABASE_URL: 'postgres://db.example/ca' }).server.workers).toBe(cpus().length);
    expect(load('server:\n  workers: 3\n').server.workers).toBe(3);
  });

  test('a key written with no value is refused; an empty section keeps its defaults', () => {
    expect(errorsOf('database:\n  pool_max:\n')).toEqual(['database.pool_max: has no value (remove the key to use the default 10)']);
    expect(load('server:\nlogging:\n').server.listen).toBe('127.0.0.1:4000');
  });

  test('a secret is never repeated in a message', () => {
    const errors = errorsOf('metrics:\n  token: [hunter2]\nsmtp:\n  password: 12345\n', {});
    expect(errors).toEqual(['metrics.token: must be a string, got a list']);
    const url = errorsOf('database:\n  url: mysql://root:hunter2@db/x\n');
    expect(url).toEqual(['database.url: must be a postgres:// or postgresql:// URL (value not shown: it may hold a password)']);
    expect(url.join()).not.toContain('hunter2');
  });

  test('several errors of every kind are reported together', () => {
    const errors = errorsOf(
      [
        'server:',
        '  lisen: 0.0.0.0:80',
        '  shutdown_timeout: 45s',
        '  external_url: https://acme.example.com/',
        'database:',
        '  url: postgres://app:${DB_PASSWORD}@db/acme',
        'validation:',
        '  http01_port: eighty',
        '  resolvers: ["ok:53", "bad host"]',
        'acme:',
        '  order_lifetime: 7days',
        'logging:',
        '  level: loud',
      ].join('\n'),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^database\.url: environment variable DB_PASSWORD is not set/),
      "server.lisen: unknown key (did you mean 'listen'?)",
      expect.stringMatching(/^logging\.level: must be one of/),
      "validation.http01_port: must be an integer, got string 'eighty'",
      "acme.order_lifetime: invalid duration '7days' (use e.g. 30s, 5m, 1h, 7d)",
      "server.external_url: must not end with '/' (got 'https://acme.example.com/')",
      expect.stringMatching(/^server\.shutdown_timeout \(45s\) must be ≤ workers\.drain_timeout \(30s\):/),
      "validation.resolvers[1]: 'bad host' is not host or host:port (IPv6 as [addr]:port)",
    ]);
  });

  test('ConfigError lists every problem in its message', () => {
    let error: unknown;
    try {
      validateConfigObject({ servr: {}, validation: { http01_port: 'x' } }, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(Error);
    expect((error as ConfigError).message).toBe(
      "Configuration is invalid:\n  - servr: unknown key (did you mean 'server'?)\n  - validation.http01_port: must be an integer, got string 'x'",
    );
  });

  test('validateConfigObject takes already parsed data; the top level must be a mapping', () => {
    expect(validateConfigObject({ acme: { max_identifiers: '5' } }, {}).acme.max_identifiers).toBe(5);
    expect(errorsFrom(() => validateConfigObject(['server'], {}))).toEqual([expect.stringMatching(/^\(root\): the configuration must be a mapping/)]);
  });

  test('_comment may be a string or a list of strings, and is dropped from the result', () => {
    expect('_comment' in load('_comment: ["production", "eu-west"]\n')).toBe(false);
    expect(() => load('_comment: one line\n')).not.toThrow();
    expect(errorsOf('_comment: {a: 1}\n')).toEqual([expect.stringMatching(/^_comment: must be a string or a list of strings/)]);
  });
});

import { cpus } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveConfigPath } from '../../../src/config';
import { configDir, configFile, errorsFrom, load } from './config-files';

describe('loading the configuration file', () => {
  test('no file: the embedded defaults, all applied', () => {
    const c = loadConfig({ env: {} });
    expect(c.data_dir).toBe(join(process.cwd(), 'data'));
    expect(c.server).toEqual({
      listen: '127.0.0.1:4000',
      external_url: 'http://127.0.0.1:4000',
      tls: { cert_file: null, key_file: null },
      shutdown_timeout: 30_000,
      workers: Math.max(1, cpus().length - 1),
      body_limit: 65_536,
      trusted_proxies: [],
      health_details_from: ['127.0.0.1', '::1'],
    });
    expect(c.workers).toEqual({ drain_timeout: 30_000, concurrency: 4, lease: 30_000, heartbeat_interval: 5_000, takeover_after: 20_000, poll_interval: 30_000 });
    expect(c.database.url).toBeNull();
    expect(c.eventstore.poll_interval).toBe(10_000);
    expect(c.acme.order_lifetime).toBe(7 * 86_400_000);
    expect(c.acme.max_validity).toBe(397 * 86_400_000);
    expect(c.validation.max_response_bytes).toBe(65_536);
    expect(c.ca.internal.key_type).toBe('ecdsa-p256');
    expect(c.metrics).toEqual({ enabled: true, path: '/metrics', token: null });
    expect(c.admin).toEqual({ enabled: false, token_secret: null, token_ttl: 3_600_000, login_free_attempts: 5, login_delay: 1_000, login_max_delay: 900_000 });
  });

  test('a partial section keeps the defaults of the keys it omits', () => {
    const c = load('acme:\n  order_lifetime: 1h\n');
    expect(c.acme.order_lifetime).toBe(3_600_000);
    expect(c.acme.authorization_lifetime).toBe(30 * 86_400_000);
  });

  test('an empty file is the defaults', () => {
    expect(load('# nothing yet\n').server.listen).toBe('127.0.0.1:4000');
  });

  test('DATABASE_URL fills database.url when the file leaves it unset, never over the file', () => {
    expect(loadConfig({ env: { DATABASE_URL: 'postgres://x@h/db' } }).database.url).toBe('postgres://x@h/db');
    expect(load('database:\n  url: postgres://file@h/db\n', { DATABASE_URL: 'postgres://env@h/db' }).database.url).toBe('postgres://file@h/db');
  });

  test('-c wins over CERTLEDGER_CONFIG; the result is absolute', () => {
    expect(resolveConfigPath('/a.yaml', { CERTLEDGER_CONFIG: '/b.yaml' })).toBe('/a.yaml');
    expect(resolveConfigPath(undefined, { CERTLEDGER_CONFIG: '/b.yaml' })).toBe('/b.yaml');
    expect(resolveConfigPath('rel.yaml', {})).toBe(join(process.cwd(), 'rel.yaml'));
    expect(resolveConfigPath(undefined, {})).toBeUndefined();
  });

  test('a missing file is named', () => {
    const missing = join(configDir, 'nope.yaml');
    expect(errorsFrom(() => loadConfig({ file: missing, env: {} }))).toEqual([`${missing}: configuration file does not exist`]);
  });

  test('a directory is not a configuration file', () => {
    const dir = join(configDir, 'a-dir');
    mkdirSync(dir);
    expect(errorsFrom(() => loadConfig({ file: dir, env: {} }))).toEqual([`${dir}: is a directory, not a configuration file`]);
  });

  test('a YAML syntax error names the file, line and column', () => {
    const p = configFile('server:\n  listen: "127.0.0.1:4000\n');
    expect(errorsFrom(() => loadConfig({ file: p, env: {} }))).toEqual([expect.stringMatching(new RegExp(`^${escape(p)}:\\d+:\\d+: invalid YAML: .*quote`))]);
  });

  test('a key written twice is refused', () => {
    const p = configFile('server:\n  listen: 127.0.0.1:1\n  listen: 127.0.0.1:2\n');
    expect(errorsFrom(() => loadConfig({ file: p, env: {} }))).toEqual([`${p}:3:3: invalid YAML: Map keys must be unique`]);
  });

  test('a file that is not a mapping of sections', () => {
    const p = configFile('- server\n- database\n');
    expect(errorsFrom(() => loadConfig({ file: p, env: {} }))).toEqual([`${p}: the configuration must be a YAML mapping of sections (server:, database:, ...), got a list`]);
  });

  test('relative paths resolve against the configuration file folder; absolute ones stay', () => {
    const c = load('data_dir: state\nserver:\n  tls:\n    cert_file: tls/cert.pem\n    key_file: /etc/certledger/key.pem\n');
    expect(c.data_dir).toBe(join(configDir, 'state'));
    expect(c.server.tls.cert_file).toBe(join(configDir, 'tls', 'cert.pem'));
    expect(c.server.tls.key_file).toBe('/etc/certledger/key.pem');
  });

  test('anchors, aliases and merge keys work; flow and block lists are both accepted', () => {
    const c = load(
      [
        'server:',
        '  shutdown_timeout: &grace 45s',
        'workers:',
        '  drain_timeout: *grace',
        'metrics: &on',
        '  enabled: false',
        'audit:',
        '  <<: *on',
        'validation:',
        '  resolvers:',
        '    - 10.0.0.1',
        'acme:',
        '  caa_identities: [ca.example]',
      ].join('\n'),
    );
    expect(c.workers.drain_timeout).toBe(45_000);
    expect(c.server.shutdown_timeout).toBe(45_000);
    expect(c.audit.enabled).toBe(false);
    expect(c.validation.resolvers).toEqual(['10.0.0.1']);
    expect(c.acme.caa_identities).toEqual(['ca.example']);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

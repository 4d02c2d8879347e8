import { errorsOf, load } from './config-files';

describe('rules between keys', () => {
  test('shutdown_timeout above drain_timeout: the exact message, values as written', () => {
    expect(errorsOf('server:\n  shutdown_timeout: 45s\nworkers:\n  drain_timeout: 30s\n')).toEqual([
      'server.shutdown_timeout (45s) must be ≤ workers.drain_timeout (30s):\n' +
        'in-flight HTTP handlers can enqueue jobs after the engine has stopped\ndraining',
    ]);
    expect(errorsOf('server:\n  shutdown_timeout: 1m\n')[0]).toMatch(/^server\.shutdown_timeout \(1m\) must be ≤ workers\.drain_timeout \(30s\):\n/);
    expect(load('server:\n  shutdown_timeout: 30s\nworkers:\n  drain_timeout: 30000ms\n').server.shutdown_timeout).toBe(30_000);
  });

  test('external_url: trailing slash, not a URL, not http(s), query', () => {
    expect(errorsOf('server:\n  external_url: https://acme.example.com/\n')).toEqual(["server.external_url: must not end with '/' (got 'https://acme.example.com/')"]);
    expect(errorsOf('server:\n  external_url: acme.example.com\n')).toEqual([
      "server.external_url: must be an absolute http:// or https:// URL, got 'acme.example.com'",
    ]);
    expect(errorsOf('server:\n  external_url: ftp://acme.example.com\n')[0]).toMatch(/^server\.external_url: must be an absolute http/);
    expect(errorsOf('server:\n  external_url: https://acme.example.com/acme?x=1\n')[0]).toMatch(/^server\.external_url: must not carry a query/);
    expect(load('server:\n  external_url: https://acme.example.com/ca\n').server.external_url).toBe('https://acme.example.com/ca');
  });

  test('external_url is derived from listen when unset; a wildcard address becomes localhost', () => {
    expect(load('server:\n  listen: 0.0.0.0:8080\n').server.external_url).toBe('http://localhost:8080');
    expect(load('server:\n  listen: "[::]:8080"\n').server.external_url).toBe('http://localhost:8080');
    expect(load('server:\n  listen: 10.1.2.3:4000\n').server.external_url).toBe('http://10.1.2.3:4000');
    expect(load('').server.external_url).toBe('http://127.0.0.1:4000');
  });

  test('profiles: defaults filled in, names unique, the default one of them', () => {
    const c = load('acme:\n  profiles:\n    - name: classic\n    - name: short\n      validity_days: 6\n      key_types: [ec]\n  default_profile: short\n');
    expect(c.acme.profiles).toEqual([
      { name: 'classic', description: '', validity_days: null, key_types: [], client_auth: false, allow_wildcard: true, allow_ip: false, common_name: true },
      { name: 'short', description: '', validity_days: 6, key_types: ['ec'], client_auth: false, allow_wildcard: true, allow_ip: false, common_name: true },
    ]);
    expect(errorsOf('acme:\n  profiles:\n    - name: a\n    - name: a\n  default_profile: b\n')).toEqual([
      "acme.profiles: profile name 'a' is used twice",
      "acme.default_profile: 'b' is not one of acme.profiles (a, a)",
    ]);
  });

  test('TLS files and internal CA files come in pairs', () => {
    expect(errorsOf('server:\n  tls:\n    cert_file: a.pem\nca:\n  internal:\n    intermediate_key_file: i.key\n')).toEqual([
      'server.tls: cert_file and key_file must be given together (only cert_file is set)',
      'ca.internal: intermediate_cert_file and intermediate_key_file must be given together (only intermediate_key_file is set)',
    ]);
    expect(errorsOf('ca:\n  internal:\n    intermediate_cert_file: i.pem\n    intermediate_key_file: i.key\n')).toEqual([
      'ca.internal.root_cert_file: is required when intermediate_cert_file is given (clients need the chain)',
    ]);
    const c = load('ca:\n  internal:\n    root_cert_file: r.pem\n    intermediate_cert_file: i.pem\n    intermediate_key_file: i.key\n');
    expect(c.ca.internal.intermediate_key_file).toMatch(/i\.key$/);
  });

  test('with TLS, the derived external_url is https', () => {
    expect(load('server:\n  listen: 0.0.0.0:8443\n  tls:\n    cert_file: c.pem\n    key_file: k.pem\n').server.external_url).toBe('https://localhost:8443');
  });

  test('the passphrase variable named by key_passphrase_env must be set', () => {
    expect(errorsOf('ca:\n  internal:\n    key_passphrase_env: CA_PASS\n')).toEqual([
      'ca.internal.key_passphrase_env: names the environment variable CA_PASS, which is not set',
    ]);
    expect(load('ca:\n  internal:\n    key_passphrase_env: CA_PASS\n', { CA_PASS: 'x' }).ca.internal.key_passphrase_env).toBe('CA_PASS');
    expect(errorsOf('ca:\n  internal:\n    key_passphrase_env: "my secret"\n')[0]).toMatch(/^ca\.internal\.key_passphrase_env: must be an environment variable name/);
  });

  test('admin token secret of at least 32 characters when the admin API is on', () => {
    expect(errorsOf('admin:\n  enabled: true\n  token_secret: short\n')).toEqual([
      'admin.token_secret: must be at least 32 characters when admin.enabled is true (got 5)',
    ]);
    expect(errorsOf('admin:\n  enabled: true\n')).toEqual(['admin.token_secret: must be at least 32 characters when admin.enabled is true (got 0)']);
    expect(load(`admin:\n  enabled: true\n  token_secret: ${'s'.repeat(32)}\n`).admin.enabled).toBe(true);
  });

  test('ca.validity may not exceed the max_validity policy', () => {
    expect(errorsOf('ca:\n  validity: 400d\n')).toEqual([
      'ca.validity (400d) must be ≤ acme.max_validity (397d): the default validity may not exceed the policy cap',
    ]);
  });

  test('smtp needs host and sender', () => {
    expect(errorsOf('smtp:\n  enabled: true\n')).toEqual([
      'smtp.host: is required when smtp.enabled is true',
      'smtp.from: is required when smtp.enabled is true',
    ]);
  });

  test('trusted proxies are addresses or CIDRs', () => {
    expect(errorsOf('server:\n  trusted_proxies: [10.0.0.0/8, "::1", 10.0.0.0/33, proxy.local]\n')).toEqual([
      "server.trusted_proxies[2]: '10.0.0.0/33' is not an IP address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32)",
      "server.trusted_proxies[3]: 'proxy.local' is not an IP address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32)",
    ]);
  });

  test('CRL: refresh shorter than validity; its URL defaults under external_url', () => {
    expect(errorsOf('crl:\n  enabled: true\n  refresh: 2d\n')).toEqual([
      'crl.refresh (2d) must be shorter than crl.validity (24h): a CRL must be replaced before it expires',
    ]);
    expect(load('server:\n  external_url: https://ca.example\ncrl:\n  enabled: true\n').ca.crl_url).toBe('https://ca.example/crl');
  });

  test('a rule whose key is already wrong is not evaluated on the wrong value', () => {
    expect(errorsOf('server:\n  shutdown_timeout: soon\n')).toEqual(["server.shutdown_timeout: invalid duration 'soon' (use e.g. 30s, 5m, 1h, 7d)"]);
  });
});

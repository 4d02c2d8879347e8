import { configWarnings, loadConfig } from '../../../src/config';
import { load } from './config-files';

describe('startup warnings', () => {
  test('the default configuration is silent', () => {
    expect(configWarnings(loadConfig({ env: {} }))).toEqual([]);
  });

  test('a production setup behind https with a metrics token is silent', () => {
    const c = load('server:\n  listen: 0.0.0.0:4000\n  external_url: https://acme.example.com\n  trusted_proxies: [10.0.0.0/8]\nmetrics:\n  token: t\n');
    expect(configWarnings(c)).toEqual([]);
  });

  test('each switched-off safeguard gets one line', () => {
    const c = load(
      'server:\n  listen: 0.0.0.0:4000\n  trusted_proxies: [0.0.0.0/0]\n  external_url: http://acme.example.com\naudit:\n  enabled: false\nvalidation:\n  allow_private_networks: true\nacme:\n  eab_required: true\n',
    );
    expect(configWarnings(c)).toEqual([
      'audit.enabled is false: no tamper-evident audit log is written',
      'validation.allow_private_networks is true: validation may connect to loopback and private addresses (tests and labs only)',
      'metrics.token is unset while listening on 0.0.0.0:4000: anyone who reaches the port can read /metrics',
      'server.external_url is plain http (http://acme.example.com): ACME clients expect https outside a lab',
      'server.trusted_proxies covers every address: any client can set X-Forwarded-For and choose the address it is seen from',
      'acme.eab_required is true while admin.enabled is false: EAB keys can only be created once the admin API is on',
    ]);
  });
});

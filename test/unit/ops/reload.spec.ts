import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../../src/config';
import { reloadConfig } from '../../../src/ops/reload';

/** What SIGHUP applies, what it leaves for a restart, and what the log says about each. */
describe('reloadConfig', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'certledger-reload-')), 'certledger.yaml');
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const logged = (msg: RegExp) => lines.find((l) => msg.test(String(l.msg)));

  beforeEach(() => {
    lines.length = 0;
    log.level = 'info';
  });

  test('reloadable keys take the new values; every other change keeps its start value and is named', () => {
    writeFileSync(file, 'acme:\n  order_lifetime: 7d\n');
    const current = loadConfig({ file, env: {} });
    writeFileSync(file, [
      'logging:\n  level: debug',
      'metrics:\n  token: scrape-me\n  path: /other',
      'notifications:\n  enabled: false\n  expiration_warning: false\n  expiration_warning_days: [3]\n  expiration_check_interval: 5m\n  retry_limit: 1',
      'acme:\n  order_lifetime: 1d',
      '',
    ].join('\n'));
    const next = reloadConfig(file, current, log)!;
    expect(next.logging.level).toBe('debug');
    expect(log.level).toBe('debug');
    expect(next.metrics).toEqual({ ...current.metrics, token: 'scrape-me' });
    expect(next.notifications).toEqual({ ...current.notifications, expiration_warning: false, expiration_warning_days: [3], expiration_check_interval: 300_000 });
    expect(next.acme).toEqual(current.acme);
    expect(logged(/configuration reloaded/)?.applied).toEqual([
      'logging.level',
      'metrics.token',
      'notifications.expiration_warning',
      'notifications.expiration_warning_days',
      'notifications.expiration_check_interval',
    ]);
    expect(logged(/need a restart/)?.keys).toEqual(['acme.order_lifetime', 'metrics.path', 'notifications.enabled', 'notifications.retry_limit']);
  });

  test('an invalid file changes nothing and is logged with its problems', () => {
    writeFileSync(file, 'logging:\n  level: info\n');
    const current = loadConfig({ file, env: {} });
    writeFileSync(file, 'logging:\n  level: verbose\n');
    expect(reloadConfig(file, current, log)).toBeNull();
    expect(logged(/not reloaded: the file is invalid/)?.errors).toEqual([expect.stringMatching(/^logging\.level: must be one of/)]);
  });

  test('a file with no reloadable change says which keys would reload', () => {
    writeFileSync(file, 'acme:\n  order_lifetime: 7d\n');
    const current = loadConfig({ file, env: {} });
    writeFileSync(file, 'acme:\n  order_lifetime: 2d\n');
    reloadConfig(file, current, log);
    expect(logged(/no changes to keys that reload/)?.reloadable).toContain('notifications.expiration_check_interval');
    expect(logged(/need a restart/)?.keys).toEqual(['acme.order_lifetime']);
  });
});

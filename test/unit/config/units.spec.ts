import { parseDuration, parseSize } from '../../../src/config';
import { errorsOf, load } from './config-files';

describe('durations and sizes', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['0s', 0],
  ])('duration %s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['30', '7days', '1.5h', 'h', '', '-5s', '30 s'])('%p is not a duration', (text) => expect(parseDuration(text)).toBeNull());

  test.each([
    ['64kb', 65_536],
    ['1mb', 1_048_576],
    ['1MB', 1_048_576],
    ['512', 512],
  ])('size %s = %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  test('the typed config holds milliseconds and bytes', () => {
    const c = load('acme:\n  order_lifetime: 1h30m\nserver:\n  body_limit: 1mb\nvalidation:\n  max_response_bytes: 4096\n');
    expect(c.acme.order_lifetime).toBe(5_400_000);
    expect(c.server.body_limit).toBe(1_048_576);
    expect(c.validation.max_response_bytes).toBe(4096);
    expect(c.written['acme.order_lifetime']).toBe('1h30m');
  });

  test('a bad duration names the key, the value and the forms to use', () => {
    expect(errorsOf('acme:\n  order_lifetime: 7days\n')).toEqual(["acme.order_lifetime: invalid duration '7days' (use e.g. 30s, 5m, 1h, 7d)"]);
  });

  test('a bare number is not taken as a duration', () => {
    expect(errorsOf('server:\n  shutdown_timeout: 30\n')).toEqual(["server.shutdown_timeout: invalid duration '30' (use e.g. 30s, 5m, 1h, 7d)"]);
  });

  test('a zero timeout or lifetime is refused with the reason', () => {
    expect(errorsOf('validation:\n  timeout: 0s\nacme:\n  order_lifetime: 0d\ndatabase:\n  statement_timeout: 0ms\n')).toEqual([
      'database.statement_timeout: must be greater than 0: PostgreSQL reads 0 as "no limit", so one stuck session could hold connections forever',
      'acme.order_lifetime: must be greater than 0: a zero lifetime would expire each one the moment it is created',
      'validation.timeout: must be greater than 0: a zero timeout would fail every attempt at once',
    ]);
  });

  test('zero is allowed where it means something: authorization_reuse 0 turns reuse off', () => {
    expect(load('acme:\n  authorization_reuse: 0s\n').acme.authorization_reuse).toBe(0);
  });

  test('a timer longer than Node.js can hold is refused', () => {
    expect(errorsOf('cleanup:\n  interval: 30d\n')).toEqual([expect.stringMatching(/^cleanup\.interval: '30d' is too long: at most 24d/)]);
    expect(load('acme:\n  authorization_lifetime: 400d\n').acme.authorization_lifetime).toBe(400 * 86_400_000);
  });

  test('bad and too small sizes', () => {
    expect(errorsOf('server:\n  body_limit: lots\nvalidation:\n  max_response_bytes: 16\n')).toEqual([
      "server.body_limit: invalid size 'lots' (use e.g. 64kb, 1mb, or a number of bytes)",
      "validation.max_response_bytes: must be at least 128 bytes, got '16'",
    ]);
  });
});

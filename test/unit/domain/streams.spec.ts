import { EVENT_CATALOG } from '../../../src/domain/events';
import { parseStreamName, streams } from '../../../src/domain/streams';

describe('stream names', () => {
  test.each([
    [streams.account('9f1c'), 'account', '9f1c'],
    [streams.accountKey('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'), 'account-key', 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'],
    [streams.order('o-1'), 'order', 'o-1'],
    [streams.authz('z-1'), 'authz', 'z-1'],
    [streams.certificate('c-1'), 'cert', 'c-1'],
    [streams.eabKey('kid-1'), 'eab', 'kid-1'],
    [streams.maintenance(), 'system-maintenance', ''],
  ])('%s parses back to %s', (name, category, id) => {
    expect(parseStreamName(name)).toEqual({ category, id });
  });

  test('names are the documented ones', () => {
    expect([streams.account('a'), streams.accountKey('t'), streams.order('o'), streams.authz('z'), streams.certificate('c')]).toEqual([
      'account-a',
      'account-key-t',
      'order-o',
      'authz-z',
      'cert-c',
    ]);
  });

  test.each(['', 'account-', 'cert', 'orders-1', 'random'])('%j is no aggregate stream', (name) => {
    expect(parseStreamName(name)).toBeNull();
  });

  test('every stream kind of the catalog has a name that parses to it', () => {
    const sample: Record<string, string> = {
      account: streams.account('x'),
      'account-key': streams.accountKey('x'),
      order: streams.order('x'),
      authz: streams.authz('x'),
      cert: streams.certificate('x'),
      eab: streams.eabKey('x'),
      'system-maintenance': streams.maintenance(),
      ratelimit: streams.rateLimitOverride('new_orders_per_account', 'x'),
    };
    for (const { stream } of Object.values(EVENT_CATALOG)) expect(parseStreamName(sample[stream])?.category).toBe(stream);
  });
});

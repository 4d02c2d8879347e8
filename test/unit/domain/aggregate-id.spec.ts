import { aggregateIdOf, streams } from '../../../src/domain/streams';

describe('aggregateIdOf', () => {
  test('gives the id of a stream of the expected kind', () => {
    expect(aggregateIdOf('order', streams.order('o-1'))).toBe('o-1');
    expect(aggregateIdOf('cert', streams.certificate('c-1'))).toBe('c-1');
    expect(aggregateIdOf('account-key', streams.accountKey('thumb'))).toBe('thumb');
  });

  test('an account id is never read from an account-key stream', () => {
    expect(() => aggregateIdOf('account', streams.accountKey('thumb'))).toThrow(/not a stream of kind account/);
  });

  test('refuses a stream of another kind or no kind', () => {
    expect(() => aggregateIdOf('order', streams.authz('z-1'))).toThrow(/not a stream of kind order/);
    expect(() => aggregateIdOf('cert', 'cert-')).toThrow();
  });
});

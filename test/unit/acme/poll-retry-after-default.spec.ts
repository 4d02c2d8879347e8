import { load } from '../config/config-files';

/** Without acme.retry_after, processing resources ask clients to wait one second, as always. */
test('acme.retry_after defaults to one second', () => {
  expect(load('').acme.retry_after).toBe(1_000);
  expect(load('acme:\n  retry_after: 7s\n').acme.retry_after).toBe(7_000);
});

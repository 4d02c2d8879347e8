import { calculateJwkThumbprint } from 'jose';
import { useAcmeServer } from '../support/acme-server-fixture';

/**
 * acme.retry_after reaches the Retry-After header of resources still being processed: a
 * challenge whose validation is under way, and the authorization holding it.
 */
describe('acme.retry_after', () => {
  const fx = useAcmeServer('poll-retry-after', (rig) =>
    [
      // A hanging validation is abandoned at shutdown instead of holding the test's teardown.
      '  shutdown_timeout: 1s',
      'workers:',
      '  drain_timeout: 1s',
      'acme:',
      '  retry_after: 7s',
      // The validation below hangs on purpose; it must stay in flight while the test reads.
      rig.validationYaml().replace('timeout: 5s', 'timeout: 60s'),
    ].join('\n'),
  );

  afterAll(() => {
    fx.rig.httpDelayMs = 0;
  });

  test('a processing challenge and its authorization carry the configured Retry-After', async () => {
    const { acme, key, kid, rig } = fx;
    rig.httpDelayMs = 60_000; // the http-01 responder answers only after the test is over
    const order = await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: 'poll.retry.test' }] }, key, { kid });
    expect(order.status).toBe(201);
    const authzUrl = order.body.authorizations[0];
    const pending = await acme.post(authzUrl, '', key, { kid });
    expect(pending.headers.get('retry-after')).toBeNull();
    const ch = pending.body.challenges.find((c: { type: string }) => c.type === 'http-01');
    rig.http.set(ch.token, `${ch.token}.${await calculateJwkThumbprint(key.jwk, 'sha256')}`);

    const responded = await acme.post(ch.url, {}, key, { kid });
    expect(responded.body.status).toBe('processing');
    expect(responded.headers.get('retry-after')).toBe('7');

    const authz = await acme.post(authzUrl, '', key, { kid });
    expect(authz.body.challenges.find((c: { type: string }) => c.type === 'http-01').status).toBe('processing');
    expect(authz.headers.get('retry-after')).toBe('7');
  });
});

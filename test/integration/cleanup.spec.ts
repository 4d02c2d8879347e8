import { ALL_PROJECTIONS } from '../../projections';
import { NonceStore } from '../../src/db/nonce-store';
import { JobQueue } from '../../src/jobs/job-queue';
import type { AcmeDeps } from '../../src/commands/acme-deps';
import { loadOrderView } from '../../src/commands/order-view';
import { event } from '../../src/domain/events';
import { streams } from '../../src/domain/streams';
import { runCleanup } from '../../src/jobs/cleanup';
import { ProjectionRunner } from '../../src/projection/projection-runner';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';
import { storeOnlyDeps } from '../support/store-only-deps';

const HOUR = 3_600_000;

/** Cleanup with an injected clock: expiry and stuck work become events; nonces are collected. */
describe('cleanup', () => {
  let fx: PgStoreFixture;
  let deps: AcmeDeps;
  let runner: ProjectionRunner;
  let jobs: JobQueue;
  const t0 = Date.now();

  beforeAll(async () => {
    fx = await createPgStore('cleanup');
    runner = new ProjectionRunner({ store: fx.store, pool: fx.pool, projections: ALL_PROJECTIONS, pollIntervalMs: 50 });
    await runner.prepare();
    runner.start();
    jobs = new JobQueue({ pool: fx.pool, leaseMs: 60_000 });
    await jobs.start();
    deps = storeOnlyDeps(fx, jobs, () => new Date());
  });
  afterAll(async () => {
    await runner.stop();
    await jobs.stop(1000);
    await fx.dispose();
  });

  async function order(id: string, authzId: string, expiresIn: number, finalize = false) {
    const expires = new Date(t0 + expiresIn).toISOString();
    const appended = await deps.aggregates.append(
      [
        { streamId: streams.authz(authzId), expected: 'no_stream', events: [event('AuthorizationCreated', { authzId, accountId: 'acc', identifier: { type: 'dns', value: `${id}.example.test` }, wildcard: false, expires, challenges: [{ challengeId: 'c', type: 'http-01', token: 't' }], preAuthorization: false })] },
        { streamId: streams.order(id), expected: 'no_stream', events: [event('OrderCreated', { orderId: id, accountId: 'acc', identifiers: [{ type: 'dns', value: `${id}.example.test` }], authorizationIds: [authzId], notBefore: null, notAfter: null, expires }), ...(finalize ? [event('OrderFinalizationRequested', { csr: 'x', names: [`${id}.example.test`], keyType: 'ecdsa-p256' })] : [])] },
      ],
      {},
    );
    await runner.waitFor(appended[appended.length - 1].position, 10_000);
  }

  test('expired pending authorizations and orders get events, stuck orders fail, expired nonces go', async () => {
    await order('expiring', 'z-expiring', HOUR);
    await order('fresh', 'z-fresh', 48 * HOUR);
    await order('stuck', 'z-stuck', 48 * HOUR, true);
    const nonces = new NonceStore(fx.pool, HOUR);
    await nonces.start();
    const nonce = nonces.issue();
    expect(await nonces.consume(nonce)).toBe(true);

    const settings = { batchSize: 1, stuckProcessingMs: 10 * 60_000 };
    const report = await runCleanup(deps, nonces, settings, new Date(t0 + 2 * HOUR));
    expect(report).toEqual({ authorizationsExpired: 1, ordersExpired: 1, ordersStuck: 1, noncesDeleted: 1, rateLimitRowsDeleted: 0 });
    await runner.waitFor(await fx.store.headPosition(), 10_000);

    const types = async (stream: string) => (await fx.store.readStream(stream)).map((e) => e.type);
    expect(await types(streams.authz('z-expiring'))).toEqual(['AuthorizationCreated', 'AuthorizationExpired']);
    expect(await types(streams.order('expiring'))).toEqual(['OrderCreated', 'OrderExpired']);
    expect(await types(streams.order('fresh'))).toEqual(['OrderCreated']);
    expect(await types(streams.order('stuck'))).toEqual(['OrderCreated', 'OrderFinalizationRequested', 'OrderFailed']);
    const stuck = await loadOrderView(deps, 'stuck');
    expect(stuck!.status).toBe('invalid');
    expect(stuck!.order.error!.detail).toMatch(/did not complete within 10 minutes/);
    expect((await fx.pool.query(`SELECT status FROM rm_authorizations WHERE authz_id = 'z-expiring'`)).rows[0].status).toBe('expired');
    // Past its expiry (the clock cleanup ran with) the nonce is refused, its row gone or not.
    expect(await nonces.consume(nonce, t0 + 2 * HOUR)).toBe(false);

    // A second run finds nothing left to do.
    expect(await runCleanup(deps, nonces, settings, new Date(t0 + 2 * HOUR))).toEqual({ authorizationsExpired: 0, ordersExpired: 0, ordersStuck: 0, noncesDeleted: 0, rateLimitRowsDeleted: 0 });
  }, 30_000);
});

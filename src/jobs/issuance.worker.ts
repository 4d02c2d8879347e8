import { parseAndCheckCsr } from '../ca/csr';
import { streams } from '../domain/streams';
import { AcmeError } from '../domain/errors';
import { event, type EventDataByType } from '../domain/events';
import type { AcmeDeps } from '../commands/acme-deps';
import { loadOrderView } from '../commands/order-view';
import { loadAccount } from '../commands/account.commands';
import { WrongExpectedRevisionError } from '../eventstore/event-store';
import type { IssuanceJob } from './job-dispatcher';

/**
 * Issues the certificate of a finalized order. The certificate's stream id is derived from the
 * order, so a job run twice can never record two certificates for one order.
 */
export async function runIssuanceJob(deps: AcmeDeps, job: IssuanceJob): Promise<void> {
  const view = await loadOrderView(deps, job.orderId);
  if (!view || view.status !== 'processing') return;
  const requested = (await deps.aggregates.store.readStream(streams.order(job.orderId))).find((e) => e.type === 'OrderFinalizationRequested');
  if (!requested) return;
  const data = requested.data as EventDataByType['OrderFinalizationRequested'];
  const account = (await loadAccount(deps, view.order.accountId)).state!;
  const meta = { actor: 'system:issuance' };
  let issued;
  try {
    const csr = await parseAndCheckCsr(Buffer.from(data.csr, 'base64url'), view.order.identifiers.map((i) => i.value), account.thumbprint);
    issued = await deps.ca.issue({
      csr,
      notBefore: view.order.notBefore ? new Date(view.order.notBefore) : null,
      notAfter: view.order.notAfter ? new Date(view.order.notAfter) : null,
    });
  } catch (e) {
    if (!(e instanceof AcmeError)) throw e; // the job is retried
    await deps.aggregates.append([{ streamId: streams.order(job.orderId), events: [event('OrderFailed', { error: e.toProblem() })], expected: view.revision }], meta);
    return;
  }
  const certificateId = job.orderId;
  try {
    await deps.aggregates.append(
      [
        {
          streamId: streams.certificate(certificateId),
          expected: 'no_stream',
          events: [
            event('CertificateIssued', {
              certificateId,
              orderId: job.orderId,
              accountId: view.order.accountId,
              serial: issued.serial,
              names: data.names,
              notBefore: issued.notBefore.toISOString(),
              notAfter: issued.notAfter.toISOString(),
              chainPem: issued.chainPem,
              fingerprintSha256: issued.fingerprintSha256,
              keyType: data.keyType,
              issuer: issued.issuer,
            }),
          ],
        },
        { streamId: streams.order(job.orderId), expected: view.revision, events: [event('OrderCertificateIssued', { certificateId, serial: issued.serial })] },
      ],
      meta,
    );
  } catch (e) {
    // Another run recorded the certificate first: nothing left to do.
    if (!(e instanceof WrongExpectedRevisionError)) throw e;
  }
}

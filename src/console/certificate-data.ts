import type { AdminQueries } from '../admin/admin-queries';
import type { CertificateState } from '../domain/certificate';
import type { OrderState } from '../domain/order';
import { AcmeError } from '../domain/errors';
import type { StoredEvent } from '../eventstore/event-store';
import type { StreamHistory } from './views/certificate';

export interface CertificatePageData {
  cert: CertificateState;
  status: 'valid' | 'revoked' | 'expired';
  /** The order's, its authorizations' and the certificate's streams, each with its state at `at`. */
  histories: StreamHistory[];
  /** Every event of those streams in the order they were recorded. */
  timeline: StoredEvent[];
}

/** A certificate and the history behind it, read through the admin API's history query. */
export async function loadCertificate(queries: AdminQueries, id: string, at: string | undefined, compare: (a: string, b: string) => number): Promise<CertificatePageData> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new AcmeError('malformed', `no certificate ${id}`, [], { reason: { kind: 'notFound' } });
  const when = at ? new Date(at) : undefined;
  const certNow = await queries.history(`cert-${id}`);
  // The history's state leaves the chain out; the certificate's first event carries it.
  const chainPem = chainPemOf(certNow.events);
  const cert = { ...(certNow.state as CertificateState), chainPem };
  const certAt = when ? await queries.history(`cert-${id}`, when) : certNow;
  const order = await queries.history(`order-${cert.orderId}`, when);
  const authzIds = (await queries.history(`order-${cert.orderId}`)).state as OrderState;
  const authz = await Promise.all(authzIds.authorizationIds.map((a) => queries.history(`authz-${a}`, when)));
  const histories = [order, ...authz, certAt];
  const timeline = histories.flatMap((h) => h.events).sort((a, b) => compare(a.position, b.position));
  const status = cert.revoked ? 'revoked' : new Date(cert.notAfter) <= new Date() ? 'expired' : 'valid';
  return { cert, status, histories, timeline };
}

export function chainPemOf(events: StoredEvent[]): string {
  const issued = events.find((e) => e.type === 'CertificateIssued');
  if (!issued) throw new AcmeError('malformed', 'no certificate in this stream', [], { reason: { kind: 'notFound' } });
  return (issued.data as { chainPem: string }).chainPem;
}

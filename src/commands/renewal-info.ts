import { findLiveReplacingOrder } from '../../projections/orders/queries';
import { findCertificateIdBySerial } from '../../projections/certificates/queries';
import { x509 } from '../ca/crypto';
import { type CertificateState, evolveCertificate } from '../domain/certificate';
import { AcmeError } from '../domain/errors';
import { parseCertId, type ReplacedCertificate } from '../domain/policy/renewal-info';
import { streams } from '../domain/streams';
import type { AcmeDeps } from './acme-deps';

const notFound = (certId: string) => new AcmeError('malformed', `no certificate ${certId.slice(0, 100)} was issued by this CA`, [], { reason: { kind: 'notFound' } });

/** Key identifier of the issuing certificate, lowercase hex. */
function issuerKeyId(deps: AcmeDeps): string {
  const intermediate = deps.ca.issuerCertificates().intermediate;
  return (intermediate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? '').toLowerCase();
}

/** The certificate an RFC 9773 certID names: its AKI must be our issuer's, its serial one we issued. */
export async function certificateByCertId(deps: AcmeDeps, certId: unknown): Promise<CertificateState> {
  const id = parseCertId(certId);
  if (id.akiHex !== issuerKeyId(deps)) throw notFound(String(certId));
  const certificateId = await findCertificateIdBySerial(deps.db, id.serialHex);
  if (certificateId === null) throw notFound(String(certId));
  const cert = await deps.aggregates.load<CertificateState>(streams.certificate(certificateId), evolveCertificate);
  if (!cert.state) throw notFound(String(certId));
  return cert.state;
}

/** newOrder's `replaces`: the certificate and the live order already replacing it, if any. */
export async function replacedCertificate(deps: AcmeDeps, replaces: unknown): Promise<ReplacedCertificate | null> {
  if (replaces === undefined) return null;
  const cert = await certificateByCertId(deps, replaces);
  const replacedByOrderId = await findLiveReplacingOrder(deps.db, cert.certificateId, deps.now());
  return { certificateId: cert.certificateId, certId: String(replaces), accountId: cert.accountId, names: cert.names, replacedByOrderId };
}

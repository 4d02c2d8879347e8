import { hasValidAuthorization } from '../../projections/authorizations/queries';
import { findCertificateIdBySerial } from '../../projections/certificates/queries';
import { createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { x509 } from '../ca/crypto';
import { certificateSpkiSha256 } from '../ca/spki';
import { deactivatedAccount, reservedAccount } from '../domain/account';
import { loadAccount } from './account.commands';
import { type CertificateState, decideRevoke, evolveCertificate } from '../domain/certificate';
import { AcmeError } from '../domain/errors';
import { authorizationName, isWildcard } from '../domain/identifiers';
import { streams } from '../domain/streams';
import { type AcmeDeps, type RequestMeta } from './acme-deps';
import { toDomainEvent } from './aggregate-store';
import { handleCommand } from './handle-command';

/**
 * revokeCert (RFC 8555 §7.6): allowed for the issuing account, for an account holding valid
 * authorizations for every name of the certificate, or for a request signed by the certificate's key.
 */
export class RevokeCertificateCommand {
  constructor(
    readonly requester: { accountId: string } | { jwk: JWK },
    readonly payload: Record<string, unknown>,
    readonly meta: RequestMeta,
  ) {}
}

export class RevokeCertificateHandler {
  constructor(private readonly deps: AcmeDeps) {}

  async execute(cmd: RevokeCertificateCommand): Promise<void> {
    if ('jwk' in cmd.requester) await this.refuseDeactivatedAccountKey(cmd.requester.jwk);
    if (typeof cmd.payload.certificate !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cmd.payload.certificate)) {
      throw new AcmeError('malformed', 'revokeCert payload needs "certificate": the base64url DER of the certificate');
    }
    const der = Buffer.from(cmd.payload.certificate, 'base64url');
    let cert: x509.X509Certificate;
    try {
      cert = new x509.X509Certificate(new Uint8Array(der));
    } catch {
      throw new AcmeError('malformed', 'the certificate to revoke could not be parsed');
    }
    const serial = cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
    const certificateId = await findCertificateIdBySerial(this.deps.db, serial);
    if (certificateId === null) throw new AcmeError('malformed', `no certificate with serial ${serial} was issued by this CA`, [], { reason: { kind: 'notFound' } });

    const requester = 'jwk' in cmd.requester ? 'certificate-key' : `account:${cmd.requester.accountId}`;
    await handleCommand<CertificateState>(this.deps.aggregates, {
      streamId: streams.certificate(certificateId),
      evolve: evolveCertificate,
      metadata: { ...cmd.meta, actor: requester },
      decide: async (state) => {
        if (!samePem(state!.chainPem, der)) {
          throw new AcmeError('malformed', 'the certificate does not match the one this CA issued with that serial');
        }
        const { by, actor } = await this.authorize(cmd, state!, der);
        return decideRevoke(state!, cmd.payload.reason, by, actor, certificateSpkiSha256(der));
      },
    });
  }

  /** RFC 8555 §7.3.6: a deactivated account's key authorizes nothing, a jwk-signed revocation included. */
  private async refuseDeactivatedAccountKey(jwk: JWK): Promise<void> {
    const events = await this.deps.aggregates.store.readStream(streams.accountKey(await calculateJwkThumbprint(jwk, 'sha256')));
    if (events.length === 0) return;
    const owner = reservedAccount(events.map(toDomainEvent));
    if (owner && (await loadAccount(this.deps, owner)).state?.status === 'deactivated') throw deactivatedAccount();
  }

  private async authorize(cmd: RevokeCertificateCommand, state: CertificateState, der: Buffer) {
    if ('jwk' in cmd.requester) {
      const certKey = createPublicKey({ key: certificatePublicKey(der), format: 'der', type: 'spki' }).export({ format: 'jwk' }) as JWK;
      if ((await calculateJwkThumbprint(certKey, 'sha256')) !== (await calculateJwkThumbprint(cmd.requester.jwk, 'sha256'))) {
        throw new AcmeError('unauthorized', 'the request is not signed by the key of this certificate');
      }
      return { by: 'certificate-key' as const, actor: null };
    }
    const accountId = cmd.requester.accountId;
    if (state.accountId === accountId) return { by: 'account' as const, actor: accountId };
    const now = this.deps.now();
    for (const name of state.names) {
      if (!(await hasValidAuthorization(this.deps.db, accountId, authorizationName(name), isWildcard(name), now))) throw new AcmeError('unauthorized', `this account neither issued this certificate nor holds a valid authorization for ${name}`);
    }
    return { by: 'authorized-account' as const, actor: accountId };
  }
}

function certificatePublicKey(der: Buffer): Buffer {
  return Buffer.from(new x509.X509Certificate(new Uint8Array(der)).publicKey.rawData);
}

function samePem(chainPem: string, der: Buffer): boolean {
  const leaf = new x509.X509Certificate(chainPem.split(/(?<=-----END CERTIFICATE-----)/)[0].trim());
  return Buffer.from(leaf.rawData).equals(der);
}

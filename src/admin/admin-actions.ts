import { selectUnrevokedCertificates } from '../../projections/certificates/queries';
import type { Db } from '../db/db';
import { certificateSpkiSha256 } from '../ca/spki';
import { type AccountState, decideAccount, evolveAccount } from '../domain/account';
import { type CertificateState, decideCertificate, decideRevoke, evolveCertificate } from '../domain/certificate';
import { AcmeError } from '../domain/errors';
import { streams } from '../domain/streams';
import type { AggregateStore } from '../commands/aggregate-store';
import { handleCommand } from '../commands/handle-command';
import type { AdminPrincipal } from './admin-tokens';
import type { BulkRevokeDto, RenewNowDto } from './dto';

/** Admin actions: each one is an event on the aggregate it changes, recorded with the admin as actor. */
export class AdminActions {
  constructor(
    private readonly aggregates: AggregateStore,
    private readonly pool: Db,
  ) {}

  private meta(p: AdminPrincipal, extra: Record<string, unknown>) {
    return { ...extra, actor: `admin:${p.username}` };
  }

  async revokeCertificate(certificateId: string, reason: number | undefined, p: AdminPrincipal, extra: Record<string, unknown>): Promise<CertificateState> {
    const handled = await handleCommand<CertificateState>(this.aggregates, {
      streamId: streams.certificate(certificateId),
      evolve: evolveCertificate,
      metadata: this.meta(p, extra),
      decide: (state) => {
        if (!state) throw new AcmeError('malformed', `no certificate ${certificateId}`, [], { reason: { kind: 'notFound' } });
        return decideRevoke(state, reason, 'admin', p.username, certificateSpkiSha256(state.chainPem));
      },
    });
    return handled.state!;
  }

  /**
   * Incident response: moves the ARI suggested window (RFC 9773) of every unrevoked, unexpired
   * certificate matching the selection into the past, so clients that check renewalInfo renew at
   * once. One CertificateRenewalRequested event per certificate, with the admin and the reason;
   * nothing happens unless the selection matches exactly `expect` certificates.
   */
  async requestRenewal(q: RenewNowDto, p: AdminPrincipal, extra: Record<string, unknown>): Promise<{ certificates: string[] }> {
    if (!q.account && !q.name && !q.serial) throw new AcmeError('malformed', 'a renewal request needs at least one of account, name, serial');
    const ids = await selectUnrevokedCertificates(this.pool, q, true);
    if (ids.length !== q.expect) {
      throw new AcmeError('malformed', `the selection matches ${ids.length} unrevoked, unexpired certificates, not the expected ${q.expect}; nothing was changed`, [], { reason: { kind: 'conflict' } });
    }
    for (const id of ids) {
      await handleCommand<CertificateState>(this.aggregates, {
        streamId: streams.certificate(id),
        evolve: evolveCertificate,
        metadata: this.meta(p, extra),
        decide: (state) => decideCertificate(state, { type: 'RequestRenewal', reason: q.reason, actor: p.username }, { now: new Date() }),
      });
    }
    return { certificates: ids };
  }

  /** Revokes every unrevoked certificate matching the query, only when the count is the one the admin expects. */
  async bulkRevoke(q: BulkRevokeDto, p: AdminPrincipal, extra: Record<string, unknown>): Promise<{ revoked: string[] }> {
    if (!q.account && !q.name && !q.serial) throw new AcmeError('malformed', 'a bulk revocation needs at least one of account, name, serial');
    const ids = await selectUnrevokedCertificates(this.pool, q, false);
    if (ids.length !== q.expect) {
      throw new AcmeError('malformed', `the query matches ${ids.length} unrevoked certificates, not the expected ${q.expect}; nothing was revoked`, [], { reason: { kind: 'conflict' } });
    }
    for (const id of ids) await this.revokeCertificate(id, q.reason, p, extra);
    return { revoked: ids };
  }

  async deactivateAccount(accountId: string, reason: string | undefined, p: AdminPrincipal, extra: Record<string, unknown>): Promise<AccountState> {
    const handled = await handleCommand<AccountState>(this.aggregates, {
      streamId: streams.account(accountId),
      evolve: evolveAccount,
      metadata: this.meta(p, extra),
      decide: (state) => {
        if (!state) throw new AcmeError('malformed', `no account ${accountId}`, [], { reason: { kind: 'notFound' } });
        if (state.status === 'deactivated') throw new AcmeError('malformed', `account ${accountId} is already deactivated`, [], { reason: { kind: 'conflict' } });
        return decideAccount(state, { type: 'DeactivateAccount', by: 'admin', reason: reason ?? null }, { now: new Date(), policy: { termsOfServiceRequired: false } });
      },
    });
    return handled.state!;
  }
}

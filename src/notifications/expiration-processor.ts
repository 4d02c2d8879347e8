import { findCertificatesToWarn } from '../../projections/certificates/queries';
import type { AcmeDeps } from '../commands/acme-deps';
import { handleCommand } from '../commands/handle-command';
import { type CertificateState, decideExpirationWarning, evolveCertificate } from '../domain/certificate';
import { type AccountState, evolveAccount } from '../domain/account';
import { streams } from '../domain/streams';
import { toDomainEvent } from '../commands/aggregate-store';

/**
 * Finds certificates that crossed an expiration warning threshold and records one
 * ExpirationWarningSent per certificate and threshold (the email job follows from the event).
 * Candidates come from the read models; the decision is taken on the certificate's own stream with
 * an expected revision, so two instances can never warn twice. Renewed certificates (the same
 * account has a newer certificate for the same names) are skipped. A warning goes only to the
 * contacts the account had when the certificate was issued and still has: a contact added later
 * (by whoever holds the account key) never receives mail about an earlier certificate.
 */
export interface ExpirationSettings {
  thresholds: number[];
  batchSize: number;
}

export async function runExpirationWarnings(deps: AcmeDeps, settings: ExpirationSettings, now: Date): Promise<number> {
  const maxDays = Math.max(...settings.thresholds);
  const minDays = Math.min(...settings.thresholds);
  let warned = 0;
  let after = '';
  for (;;) {
    const page = await findCertificatesToWarn(deps.db, { now, maxDays, minDays, afterId: after, limit: settings.batchSize });
    for (const row of page) {
      const atIssuance = await contactsAt(deps, row.accountId, row.issuedAt);
      const contacts = row.contact.filter((c) => c.startsWith('mailto:') && atIssuance.has(c)).map((c) => c.slice('mailto:'.length));
      const handled = await handleCommand<CertificateState>(deps.aggregates, {
        streamId: streams.certificate(row.certificateId),
        evolve: evolveCertificate,
        metadata: { actor: 'system:expiration' },
        decide: (state) => decideExpirationWarning(state!, settings.thresholds, now, contacts),
      });
      if (handled.events.length > 0) warned++;
      after = row.certificateId;
    }
    if (page.length < settings.batchSize) return warned;
  }
}

/** The account's contacts as they were at `at`, folded from its stream. */
async function contactsAt(deps: AcmeDeps, accountId: string, at: Date): Promise<Set<string>> {
  let state: AccountState | null = null;
  for (const e of await deps.aggregates.store.readStream(streams.account(accountId))) {
    if (e.recordedAt > at) break;
    state = evolveAccount(state, toDomainEvent(e));
  }
  return new Set(state?.contact ?? []);
}

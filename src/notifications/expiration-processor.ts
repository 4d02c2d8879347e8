import type { AcmeDeps } from '../commands/acme-deps';
import { handleCommand } from '../commands/handle-command';
import { type CertificateState, decideExpirationWarning, evolveCertificate } from '../domain/certificate';
import { streams } from '../domain/streams';

/**
 * Finds certificates that crossed an expiration warning threshold and records one
 * ExpirationWarningSent per certificate and threshold (the email job follows from the event).
 * Candidates come from the read models; the decision is taken on the certificate's own stream with
 * an expected revision, so two instances can never warn twice. Renewed certificates (the same
 * account has a newer certificate for the same names) are skipped.
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
    const r = await deps.pool.query(
      `SELECT c.certificate_id, a.contact
       FROM rm_certificates c JOIN rm_accounts a ON a.account_id = c.account_id
       WHERE c.revoked_at IS NULL AND c.not_after > $1 AND c.not_after <= $1 + make_interval(days => $2)
         AND (c.warned_threshold IS NULL OR c.warned_threshold > $3)
         AND c.certificate_id > $4
         AND NOT EXISTS (SELECT 1 FROM rm_certificates n
                         WHERE n.account_id = c.account_id AND n.names = c.names AND n.issued_at > c.issued_at AND n.revoked_at IS NULL)
       ORDER BY c.certificate_id LIMIT $5`,
      [now, maxDays, minDays, after, settings.batchSize],
    );
    for (const row of r.rows) {
      const contacts = (row.contact as string[]).filter((c) => c.startsWith('mailto:')).map((c) => c.slice('mailto:'.length));
      const handled = await handleCommand<CertificateState>(deps.aggregates, {
        streamId: streams.certificate(row.certificate_id),
        evolve: evolveCertificate,
        metadata: { actor: 'system:expiration' },
        decide: (state) => decideExpirationWarning(state!, settings.thresholds, now, contacts),
      });
      if (handled.events.length > 0) warned++;
      after = row.certificate_id;
    }
    if (r.rows.length < settings.batchSize) return warned;
  }
}

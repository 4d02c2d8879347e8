import { findAccountsCreatedBetween } from '../../projections/accounts/queries';
import { findIssuedBetween, findRevokedBetween } from '../../projections/certificates/queries';
import type { Db } from '../db/db';
import type { EventDataByType } from '../domain/events';
import { streams } from '../domain/streams';
import type { EventStore } from '../eventstore/event-store';

/**
 * Compliance report for a period: certificates issued (account, names, and for each name the
 * validation method and time), certificates revoked (reason), accounts created, EAB keys used.
 */
export interface ComplianceReport {
  period: { from: string; to: string };
  totals: { certificates_issued: number; certificates_revoked: number; accounts_created: number; eab_keys_used: number };
  certificates_issued: Array<{ serial: string; account_id: string; issued_at: string; not_after: string; names: string[]; validations: Array<{ name: string; method: string | null; validated_at: string | null }> }>;
  certificates_revoked: Array<{ serial: string; account_id: string; revoked_at: string; reason: number }>;
  accounts_created: Array<{ account_id: string; created_at: string; eab_key_id: string | null }>;
  eab_keys_used: Array<{ key_id: string; account_id: string; created_at: string }>;
}

export async function complianceReport(db: Db, store: EventStore, from: Date, to: Date): Promise<ComplianceReport> {
  const certificates_issued = [];
  for (const row of await findIssuedBetween(db, from, to)) {
    const validations = [];
    for (const authzId of row.authorizationIds ?? []) {
      const events = await store.readStream(streams.authz(authzId));
      const created = events.find((e) => e.type === 'AuthorizationCreated')?.data as EventDataByType['AuthorizationCreated'] | undefined;
      const validated = events.find((e) => e.type === 'ChallengeValidated');
      const challenge = validated ? created?.challenges.find((c) => c.challengeId === (validated.data as EventDataByType['ChallengeValidated']).challengeId) : undefined;
      validations.push({ name: `${created?.wildcard ? '*.' : ''}${created?.identifier.value ?? '?'}`, method: challenge?.type ?? null, validated_at: validated?.recordedAt.toISOString() ?? null });
    }
    certificates_issued.push({ serial: row.serial, account_id: row.accountId, issued_at: row.issuedAt.toISOString(), not_after: row.notAfter.toISOString(), names: row.names, validations });
  }
  const revoked = await findRevokedBetween(db, from, to);
  const accounts = await findAccountsCreatedBetween(db, from, to);
  const report: ComplianceReport = {
    period: { from: from.toISOString(), to: to.toISOString() },
    totals: { certificates_issued: 0, certificates_revoked: 0, accounts_created: 0, eab_keys_used: 0 },
    certificates_issued,
    certificates_revoked: revoked.map((r) => ({ serial: r.serial, account_id: r.accountId, revoked_at: r.revokedAt.toISOString(), reason: r.reason })),
    accounts_created: accounts.map((r) => ({ account_id: r.accountId, created_at: r.createdAt.toISOString(), eab_key_id: r.eabKeyId })),
    eab_keys_used: accounts.filter((r) => r.eabKeyId).map((r) => ({ key_id: r.eabKeyId!, account_id: r.accountId, created_at: r.createdAt.toISOString() })),
  };
  report.totals = {
    certificates_issued: report.certificates_issued.length,
    certificates_revoked: report.certificates_revoked.length,
    accounts_created: report.accounts_created.length,
    eab_keys_used: report.eab_keys_used.length,
  };
  return report;
}

/** One section of the report as CSV (RFC 4180 quoting). */
export function reportCsv(report: ComplianceReport, section: 'issued' | 'revoked' | 'accounts' | 'eab'): string {
  const q = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const rows: unknown[][] =
    section === 'issued'
      ? [['serial', 'account_id', 'issued_at', 'not_after', 'names', 'validations'], ...report.certificates_issued.map((c) => [c.serial, c.account_id, c.issued_at, c.not_after, c.names.join(' '), c.validations.map((v) => `${v.name}:${v.method}@${v.validated_at}`).join(' ')])]
      : section === 'revoked'
        ? [['serial', 'account_id', 'revoked_at', 'reason'], ...report.certificates_revoked.map((r) => [r.serial, r.account_id, r.revoked_at, r.reason])]
        : section === 'accounts'
          ? [['account_id', 'created_at', 'eab_key_id'], ...report.accounts_created.map((a) => [a.account_id, a.created_at, a.eab_key_id])]
          : [['key_id', 'account_id', 'created_at'], ...report.eab_keys_used.map((k) => [k.key_id, k.account_id, k.created_at])];
  return rows.map((r) => r.map(q).join(',')).join('\r\n') + '\r\n';
}

import type { EventDataByType } from '../../domain/events';
import type { StoredEvent } from '../../eventstore/event-store';
import type { Projection } from '../../projection/projection';
import type { AuditEntry } from './audit-chain';
import type { AuditLog } from './audit-log';

/**
 * Writes one audit line per security-relevant decision this node took, from the event feed. The
 * file remembers the last event position it recorded, so a batch replayed after a crash adds no
 * duplicate line.
 */
export function auditProjection(log: AuditLog, serverId: string, compare: (a: string, b: string) => number): Projection {
  return {
    name: `audit_log:${serverId}`,
    version: 1,
    replayable: false,
    handles: Object.keys(DESCRIBE),
    tables: [],
    async apply(e: StoredEvent) {
      if (e.metadata?.serverId !== serverId) return;
      log.refresh();
      if (log.recordedUpTo && compare(e.position, log.recordedUpTo) <= 0) return;
      const entry = DESCRIBE[e.type]?.(e);
      if (!entry) return;
      log.append(
        {
          ...entry,
          actor: typeof e.metadata.actor === 'string' ? e.metadata.actor : null,
          source_ip: typeof e.metadata.sourceIp === 'string' ? e.metadata.sourceIp : null,
          request_id: typeof e.metadata.requestId === 'string' ? e.metadata.requestId : null,
          event_id: e.eventId,
          position: e.position,
        },
        e.recordedAt,
      );
    },
  };
}

const id = (e: StoredEvent) => e.streamId.replace(/^[a-z]+-/, '');

const DESCRIBE: Record<string, (e: StoredEvent) => AuditEntry> = {
  AccountRegistered: (e) => ({ event: 'account.create', decision: 'allow', account_id: id(e), details: { thumbprint: (e.data as EventDataByType['AccountRegistered']).thumbprint } }),
  AccountKeyChanged: (e) => {
    const d = e.data as EventDataByType['AccountKeyChanged'];
    return { event: 'account.keychange', decision: 'allow', account_id: id(e), details: { old: d.oldThumbprint, new: d.newThumbprint } };
  },
  AccountDeactivated: (e) => ({ event: 'account.deactivate', decision: 'allow', account_id: id(e), details: { by: (e.data as EventDataByType['AccountDeactivated']).by } }),
  OrderCreated: (e) => {
    const d = e.data as EventDataByType['OrderCreated'];
    return { event: 'order.create', decision: 'allow', account_id: d.accountId, details: { order: d.orderId, names: d.identifiers.map((i) => i.value) } };
  },
  OrderFinalizationRequested: (e) => ({ event: 'order.finalize', decision: 'allow', details: { order: id(e), names: (e.data as EventDataByType['OrderFinalizationRequested']).names } }),
  OrderExpired: (e) => ({ event: 'order.invalid', decision: 'deny', reason: 'expired before it was finalized', details: { order: id(e) } }),
  OrderFailed: (e) => ({ event: 'order.invalid', decision: 'deny', reason: (e.data as EventDataByType['OrderFailed']).error.detail, details: { order: id(e) } }),
  ChallengeValidated: (e) => ({ event: 'challenge.validate', decision: 'allow', details: { authorization: id(e), record: (e.data as EventDataByType['ChallengeValidated']).record } }),
  ChallengeFailed: (e) => {
    const d = e.data as EventDataByType['ChallengeFailed'];
    return { event: 'authorization.validate', decision: 'deny', reason: d.error.detail, details: { authorization: id(e), type: d.error.type } };
  },
  CertificateIssued: (e) => {
    const d = e.data as EventDataByType['CertificateIssued'];
    return { event: 'certificate.issue', decision: 'allow', account_id: d.accountId, details: { serial: d.serial, names: d.names, not_after: d.notAfter } };
  },
  MaintenanceModeChanged: (e) => {
    const d = e.data as EventDataByType['MaintenanceModeChanged'];
    return { event: 'admin.maintenance', decision: 'allow', reason: d.reason, details: { enabled: d.enabled } };
  },
  EabKeyCreated: (e) => ({ event: 'admin.eab_key.create', decision: 'allow', details: { key_id: (e.data as EventDataByType['EabKeyCreated']).keyId, allowed: (e.data as EventDataByType['EabKeyCreated']).allowedIdentifiers } }),
  EabKeyRevoked: (e) => ({ event: 'admin.eab_key.revoke', decision: 'allow', reason: (e.data as EventDataByType['EabKeyRevoked']).reason, details: { key_id: (e.data as EventDataByType['EabKeyRevoked']).keyId } }),
  EabKeyBound: (e) => ({ event: 'account.eab_bind', decision: 'allow', account_id: (e.data as EventDataByType['EabKeyBound']).accountId, details: { key_id: (e.data as EventDataByType['EabKeyBound']).keyId } }),
  CertificateRevoked: (e) => {
    const d = e.data as EventDataByType['CertificateRevoked'];
    return { event: 'certificate.revoke', decision: 'allow', reason: String(d.reason), details: { certificate: id(e), by: d.by } };
  },
};

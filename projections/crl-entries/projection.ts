import type { EventDataByType } from '../../src/domain/events';
import type { StoredEvent } from '../../src/eventstore/event-store';
import type { Projection, SqlTx } from '../../src/projection/projection';

/** rm_crl_entries: every revoked serial with its date and reason, what the CRL lists. */
export const crlEntriesProjection: Projection = {
  name: 'crl_entries',
  version: 2,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['CertificateRevoked'],
  tables: ['rm_crl_entries'],
  async apply(e: StoredEvent, tx: SqlTx) {
    const d = e.data as EventDataByType['CertificateRevoked'];
    await tx.query('INSERT INTO rm_crl_entries (serial, revoked_at, reason) VALUES ($1, $2, $3)', [d.serial, e.recordedAt, d.reason]);
  },
};

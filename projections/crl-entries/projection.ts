import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

/** rm_crl_entries: every revoked serial with its date and reason, what the CRL lists. */
export const crlEntriesProjection: Projection = {
  name: 'crl_entries',
  version: 2,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['CertificateRevoked'],
  tables: ['rm_crl_entries'],
  async apply(e: CatalogEvent, tx: SqlTx) {
    if (e.type !== 'CertificateRevoked') return;
    const d = e.data;
    await tx.query('INSERT INTO rm_crl_entries (serial, revoked_at, reason) VALUES ($1, $2, $3)', [d.serial, e.recordedAt, d.reason]);
  },
};

import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

/** rm_eab_keys: EAB keys, whether revoked, and the account each one bound. */
export const eabKeysProjection: Projection = {
  name: 'eab_keys',
  version: 2,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['EabKeyCreated', 'EabKeyRevoked', 'AccountRegistered'],
  tables: ['rm_eab_keys'],
  async apply(e: CatalogEvent, tx: SqlTx) {
    if (e.type === 'EabKeyCreated') {
      const d = e.data;
      await tx.query('INSERT INTO rm_eab_keys (key_id, allowed_identifiers, note, created_at, created_by) VALUES ($1, $2, $3, $4, $5)', [
        d.keyId,
        d.allowedIdentifiers,
        d.note,
        e.recordedAt,
        typeof e.metadata.actor === 'string' ? e.metadata.actor : null,
      ]);
    } else if (e.type === 'EabKeyRevoked') {
      await tx.query('UPDATE rm_eab_keys SET revoked_at = $2 WHERE key_id = $1', [e.data.keyId, e.recordedAt]);
    } else if (e.type === 'AccountRegistered') {
      const d = e.data;
      if (d.eabKeyId) await tx.query('UPDATE rm_eab_keys SET bound_account_id = $2 WHERE key_id = $1', [d.eabKeyId, d.accountId]);
    }
  },
};

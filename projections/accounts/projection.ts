import { aggregateIdOf } from '../../src/domain/streams';
import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

const accountId = (e: CatalogEvent) => aggregateIdOf('account', e.streamId);

/** rm_accounts: one row per account, its key thumbprint, status and contacts. */
export const accountsProjection: Projection = {
  name: 'accounts',
  version: 3,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['AccountRegistered', 'AccountContactUpdated', 'AccountKeyChanged', 'AccountDeactivated'],
  tables: ['rm_accounts'],
  async apply(e: CatalogEvent, tx: SqlTx) {
    switch (e.type) {
      case 'AccountRegistered': {
        const d = e.data;
        await tx.query(
          `INSERT INTO rm_accounts (account_id, thumbprint, jwk, status, contact, eab_key_id, created_at, updated_at)
           VALUES ($1, $2, $3, 'valid', $4, $5, $6, $6)`,
          [d.accountId, d.thumbprint, JSON.stringify(d.jwk), JSON.stringify(d.contact), d.eabKeyId, e.recordedAt],
        );
        return;
      }
      case 'AccountContactUpdated':
        await tx.query('UPDATE rm_accounts SET contact = $2, updated_at = $3 WHERE account_id = $1', [
          accountId(e),
          JSON.stringify(e.data.contact),
          e.recordedAt,
        ]);
        return;
      case 'AccountKeyChanged': {
        const d = e.data;
        await tx.query('UPDATE rm_accounts SET thumbprint = $2, jwk = $3, updated_at = $4 WHERE account_id = $1', [accountId(e), d.newThumbprint, JSON.stringify(d.jwk), e.recordedAt]);
        return;
      }
      case 'AccountDeactivated':
        await tx.query(`UPDATE rm_accounts SET status = 'deactivated', updated_at = $2 WHERE account_id = $1`, [accountId(e), e.recordedAt]);
        return;
    }
  },
};

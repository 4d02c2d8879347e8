import type { EventDataByType } from '../src/domain/events';
import type { StoredEvent } from '../src/eventstore/event-store';
import type { Projection, SqlTx } from '../src/projection/projection';

const accountId = (e: StoredEvent) => e.streamId.slice('account-'.length);

/** rm_accounts: one row per account, its key thumbprint, status and contacts. */
export const accountsProjection: Projection = {
  name: 'accounts',
  version: 2,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['AccountRegistered', 'AccountContactUpdated', 'AccountKeyChanged', 'AccountDeactivated'],
  tables: ['rm_accounts'],
  async apply(e: StoredEvent, tx: SqlTx) {
    switch (e.type) {
      case 'AccountRegistered': {
        const d = e.data as EventDataByType['AccountRegistered'];
        await tx.query(
          `INSERT INTO rm_accounts (account_id, thumbprint, status, contact, eab_key_id, created_at, updated_at)
           VALUES ($1, $2, 'valid', $3, $4, $5, $5)`,
          [d.accountId, d.thumbprint, JSON.stringify(d.contact), d.eabKeyId, e.recordedAt],
        );
        return;
      }
      case 'AccountContactUpdated':
        await tx.query('UPDATE rm_accounts SET contact = $2, updated_at = $3 WHERE account_id = $1', [
          accountId(e),
          JSON.stringify((e.data as EventDataByType['AccountContactUpdated']).contact),
          e.recordedAt,
        ]);
        return;
      case 'AccountKeyChanged':
        await tx.query('UPDATE rm_accounts SET thumbprint = $2, updated_at = $3 WHERE account_id = $1', [
          accountId(e),
          (e.data as EventDataByType['AccountKeyChanged']).newThumbprint,
          e.recordedAt,
        ]);
        return;
      case 'AccountDeactivated':
        await tx.query(`UPDATE rm_accounts SET status = 'deactivated', updated_at = $2 WHERE account_id = $1`, [accountId(e), e.recordedAt]);
        return;
    }
  },
};

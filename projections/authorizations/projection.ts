import { aggregateIdOf } from '../../src/domain/streams';
import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

const authzId = (e: CatalogEvent) => aggregateIdOf('authz', e.streamId);

/** rm_authorizations: status per authorization, used to reuse valid ones for new orders. */
export const authorizationsProjection: Projection = {
  name: 'authorizations',
  version: 3,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['AuthorizationCreated', 'ChallengeValidated', 'ChallengeFailed', 'AuthorizationDeactivated', 'AuthorizationExpired'],
  tables: ['rm_authorizations'],
  async apply(e: CatalogEvent, tx: SqlTx) {
    switch (e.type) {
      case 'AuthorizationCreated': {
        const d = e.data;
        await tx.query(
          `INSERT INTO rm_authorizations (authz_id, account_id, identifier, wildcard, status, expires, created_at)
           VALUES ($1, $2, $3, $4, 'pending', $5, $6)`,
          [d.authzId, d.accountId, d.identifier.value, d.wildcard, d.expires, e.recordedAt],
        );
        return;
      }
      case 'ChallengeValidated':
        await tx.query(`UPDATE rm_authorizations SET status = 'valid', validated_at = $2, expires = $3 WHERE authz_id = $1`, [
          authzId(e),
          e.recordedAt,
          e.data.expires,
        ]);
        return;
      case 'ChallengeFailed':
        await tx.query(`UPDATE rm_authorizations SET status = 'invalid' WHERE authz_id = $1`, [authzId(e)]);
        return;
      case 'AuthorizationDeactivated':
        await tx.query(`UPDATE rm_authorizations SET status = 'deactivated' WHERE authz_id = $1`, [authzId(e)]);
        return;
      case 'AuthorizationExpired':
        await tx.query(`UPDATE rm_authorizations SET status = 'expired' WHERE authz_id = $1`, [authzId(e)]);
        return;
    }
  },
};

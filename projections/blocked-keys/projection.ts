import { aggregateIdOf } from '../../src/domain/streams';
import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

/** rm_blocked_keys: keys whose compromise a revocation proved; finalize and newAccount refuse them. */
export const blockedKeysProjection: Projection = {
  name: 'blocked_keys',
  version: 1,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['CertificateRevoked'],
  tables: ['rm_blocked_keys'],
  async apply(e: CatalogEvent, tx: SqlTx) {
    if (e.type !== 'CertificateRevoked') return;
    const d = e.data;
    if (!d.blockedKeySpkiSha256) return;
    await tx.query(
      'INSERT INTO rm_blocked_keys (spki_sha256, certificate_id, serial, blocked_at) VALUES ($1, $2, $3, $4) ON CONFLICT (spki_sha256) DO NOTHING',
      [d.blockedKeySpkiSha256, aggregateIdOf('cert', e.streamId), d.serial, e.recordedAt],
    );
  },
};

import { aggregateIdOf } from '../../src/domain/streams';
import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

/** rm_certificates: every issued certificate by serial, with its revocation. */
export const certificatesProjection: Projection = {
  name: 'certificates',
  version: 3,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['CertificateIssued', 'CertificateRevoked', 'ExpirationWarningSent'],
  tables: ['rm_certificates'],
  async apply(e: CatalogEvent, tx: SqlTx) {
    if (e.type === 'CertificateIssued') {
      const d = e.data;
      await tx.query(
        `INSERT INTO rm_certificates (certificate_id, serial, account_id, order_id, names, not_before, not_after,
           fingerprint_sha256, key_type, issuer, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [d.certificateId, d.serial, d.accountId, d.orderId, d.names, d.notBefore, d.notAfter, d.fingerprintSha256, d.keyType, d.issuer, e.recordedAt],
      );
    } else if (e.type === 'ExpirationWarningSent') {
      await tx.query('UPDATE rm_certificates SET warned_threshold = LEAST(coalesce(warned_threshold, $2), $2) WHERE certificate_id = $1', [
        aggregateIdOf('cert', e.streamId),
        e.data.thresholdDays,
      ]);
    } else if (e.type === 'CertificateRevoked') {
      await tx.query('UPDATE rm_certificates SET revoked_at = $2, revocation_reason = $3 WHERE certificate_id = $1', [
        aggregateIdOf('cert', e.streamId),
        e.recordedAt,
        e.data.reason,
      ]);
    }
  },
};

import { aggregateIdOf } from '../../src/domain/streams';
import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

const orderId = (e: CatalogEvent) => aggregateIdOf('order', e.streamId);

/** rm_orders: orders per account (the orders list), finalization and certificate. */
export const ordersProjection: Projection = {
  name: 'orders',
  version: 4,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['OrderCreated', 'OrderFinalizationRequested', 'OrderCertificateIssued', 'OrderFailed', 'OrderExpired'],
  tables: ['rm_orders'],
  async apply(e: CatalogEvent, tx: SqlTx) {
    switch (e.type) {
      case 'OrderCreated': {
        const d = e.data;
        await tx.query(
          `INSERT INTO rm_orders (order_id, account_id, identifiers, authorization_ids, expires, created_at, replaces)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [d.orderId, d.accountId, JSON.stringify(d.identifiers), d.authorizationIds, d.expires, e.recordedAt, d.replaces?.certificateId ?? null],
        );
        return;
      }
      case 'OrderFinalizationRequested':
        await tx.query('UPDATE rm_orders SET finalized_at = $2 WHERE order_id = $1', [orderId(e), e.recordedAt]);
        return;
      case 'OrderCertificateIssued':
        await tx.query('UPDATE rm_orders SET certificate_id = $2 WHERE order_id = $1', [
          orderId(e),
          e.data.certificateId,
        ]);
        return;
      case 'OrderFailed':
      case 'OrderExpired':
        await tx.query('UPDATE rm_orders SET failed = true WHERE order_id = $1', [orderId(e)]);
        return;
    }
  },
};

import type { EventDataByType } from '../../src/domain/events';
import type { StoredEvent } from '../../src/eventstore/event-store';
import type { Projection, SqlTx } from '../../src/projection/projection';

const orderId = (e: StoredEvent) => e.streamId.slice('order-'.length);

/** rm_orders: orders per account (the orders list), finalization and certificate. */
export const ordersProjection: Projection = {
  name: 'orders',
  version: 4,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['OrderCreated', 'OrderFinalizationRequested', 'OrderCertificateIssued', 'OrderFailed', 'OrderExpired'],
  tables: ['rm_orders'],
  async apply(e: StoredEvent, tx: SqlTx) {
    switch (e.type) {
      case 'OrderCreated': {
        const d = e.data as EventDataByType['OrderCreated'];
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
          (e.data as EventDataByType['OrderCertificateIssued']).certificateId,
        ]);
        return;
      case 'OrderFailed':
      case 'OrderExpired':
        await tx.query('UPDATE rm_orders SET failed = true WHERE order_id = $1', [orderId(e)]);
        return;
    }
  },
};

import { aggregateIdOf } from '../../src/domain/streams';
import { batchProjection, type CatalogEvent, type CatalogEventOf, rounds, type SqlTx, unnestRows } from '../../src/projection/projection';

const orderId = (e: CatalogEvent) => aggregateIdOf('order', e.streamId);
/** The order row an event writes: the created one, or the one its stream names. */
const rowKey = (e: CatalogEvent) => (e.type === 'OrderCreated' ? e.data.orderId : orderId(e));

const CREATED = {
  order_id: 'text',
  account_id: 'text',
  identifiers: 'jsonb',
  authorization_ids: 'text[]',
  expires: 'timestamptz',
  created_at: 'timestamptz',
  replaces: 'text',
};

/** rm_orders: orders per account (the orders list), finalization and certificate. */
export const ordersProjection = batchProjection({
  name: 'orders',
  version: 4,
  // ACME requests read it: written in the same transaction as its events.
  inline: true,
  handles: ['OrderCreated', 'OrderFinalizationRequested', 'OrderCertificateIssued', 'OrderFailed', 'OrderExpired'],
  tables: ['rm_orders'],
  async applyAll(events: CatalogEvent[], tx: SqlTx) {
    for (const round of rounds(events, rowKey)) {
      const created: CatalogEventOf<'OrderCreated'>[] = [];
      const finalizing: CatalogEvent[] = [];
      const issued: CatalogEventOf<'OrderCertificateIssued'>[] = [];
      const failed: CatalogEvent[] = [];
      for (const e of round) {
        if (e.type === 'OrderCreated') created.push(e);
        else if (e.type === 'OrderFinalizationRequested') finalizing.push(e);
        else if (e.type === 'OrderCertificateIssued') issued.push(e);
        else if (e.type === 'OrderFailed' || e.type === 'OrderExpired') failed.push(e);
      }
      if (created.length > 0) {
        const rows = unnestRows(
          CREATED,
          created.map(({ data: d, recordedAt }) => [d.orderId, d.accountId, JSON.stringify(d.identifiers), d.authorizationIds, d.expires, recordedAt, d.replaces?.certificateId ?? null]),
        );
        await tx.query(`INSERT INTO rm_orders (${rows.names}) SELECT ${rows.names} FROM ${rows.from}`, rows.params);
      }
      if (finalizing.length > 0) {
        const rows = unnestRows({ order_id: 'text', finalized_at: 'timestamptz' }, finalizing.map((e) => [orderId(e), e.recordedAt]));
        await tx.query(`UPDATE rm_orders o SET finalized_at = r.finalized_at FROM ${rows.from} WHERE o.order_id = r.order_id`, rows.params);
      }
      if (issued.length > 0) {
        const rows = unnestRows({ order_id: 'text', certificate_id: 'text' }, issued.map((e) => [orderId(e), e.data.certificateId]));
        await tx.query(`UPDATE rm_orders o SET certificate_id = r.certificate_id FROM ${rows.from} WHERE o.order_id = r.order_id`, rows.params);
      }
      if (failed.length > 0) {
        await tx.query('UPDATE rm_orders SET failed = true WHERE order_id = ANY($1::text[])', [failed.map(orderId)]);
      }
    }
  },
});

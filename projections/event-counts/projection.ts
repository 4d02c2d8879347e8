import { batchProjection, type CatalogEvent, type SqlTx, unnestRows } from '../../src/projection/projection';

/** rm_event_counts: how many events of each type exist (accounts created, certificates issued, …). */
export const eventCountsProjection = batchProjection({
  name: 'event_counts',
  version: 1,
  handles: 'all',
  tables: ['rm_event_counts'],
  // One row per type is touched by every event of that type: a batch adds its counts once, since
  // updating one row thousands of times in a transaction makes each update slower than the last.
  // Types in order, so concurrent writers lock the rows in the same order.
  async applyAll(events: CatalogEvent[], tx: SqlTx) {
    const byType = new Map<string, number>();
    for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    const rows = unnestRows({ event_type: 'text', count: 'bigint' }, [...byType].sort(([a], [b]) => a.localeCompare(b)));
    await tx.query(
      `INSERT INTO rm_event_counts (${rows.names}) SELECT ${rows.names} FROM ${rows.from}
       ON CONFLICT (event_type) DO UPDATE SET count = rm_event_counts.count + EXCLUDED.count`,
      rows.params,
    );
  },
});

import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

/** rm_event_counts: how many events of each type exist (accounts created, certificates issued, …). */
export const eventCountsProjection: Projection = {
  name: 'event_counts',
  version: 1,
  handles: 'all',
  tables: ['rm_event_counts'],
  apply(e: CatalogEvent, tx: SqlTx) {
    return count(tx, e.type, 1);
  },
  // One row per type is touched by every event of that type: a batch adds its counts once, since
  // updating one row thousands of times in a transaction makes each update slower than the last.
  async applyAll(events: CatalogEvent[], tx: SqlTx) {
    const byType = new Map<string, number>();
    for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    for (const [type, n] of [...byType].sort(([a], [b]) => a.localeCompare(b))) await count(tx, type, n);
  },
};

function count(tx: SqlTx, type: string, n: number) {
  return tx.query(
    `INSERT INTO rm_event_counts (event_type, count) VALUES ($1, $2)
     ON CONFLICT (event_type) DO UPDATE SET count = rm_event_counts.count + EXCLUDED.count`,
    [type, n],
  ).then(() => undefined);
}

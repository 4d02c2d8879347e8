import type { StoredEvent } from '../src/eventstore/event-store';
import type { Projection, SqlTx } from '../src/projection/projection';

/** rm_event_counts: how many events of each type exist (accounts created, certificates issued, …). */
export const eventCountsProjection: Projection = {
  name: 'event_counts',
  version: 1,
  handles: 'all',
  tables: ['rm_event_counts'],
  async apply(e: StoredEvent, tx: SqlTx) {
    await tx.query(
      `INSERT INTO rm_event_counts (event_type, count) VALUES ($1, 1)
       ON CONFLICT (event_type) DO UPDATE SET count = rm_event_counts.count + 1`,
      [e.type],
    );
  },
};

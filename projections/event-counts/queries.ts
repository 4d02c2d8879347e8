import type { Db } from '../../src/db/db';

/** How many events of each type the history holds. */
export async function eventCountsByType(db: Db): Promise<Map<string, number>> {
  return new Map((await db.query('SELECT event_type, count FROM rm_event_counts')).rows.map((x) => [x.event_type as string, Number(x.count)]));
}

import type { EventDataByType, EventType } from '../domain/events';
import type { StoredEvent } from '../eventstore/event-store';

/**
 * A stored event typed by the catalog: `switch (e.type)` narrows `e.data` to that event's shape,
 * so projections need no casts. The engine hands every event over as one of these.
 */
export type CatalogEvent = {
  [K in EventType]: Omit<StoredEvent, 'type' | 'data'> & { type: K; data: EventDataByType[K] };
}[EventType];

/** The slice of a SQL client a projection may use: one query at a time inside the engine's transaction. */
export interface SqlTx {
  query(text: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

/**
 * A read-model builder: projections/<name>/projection.ts, beside the queries over its tables. It declares the event types it handles and
 * the tables it owns, and turns each event into SQL. It must be deterministic (use the event's
 * recordedAt, never the clock) so a rebuild gives byte-identical rows.
 */
export interface Projection {
  /** Stable name; also the checkpoint's id ("projection:<name>"). */
  readonly name: string;
  /** Bump when the SQL changes meaning: a checkpoint of another version triggers a rebuild. */
  readonly version: number;
  /** Event types it applies; 'all' for views of the whole history (the audit trail). */
  readonly handles: readonly string[] | 'all';
  /** Tables emptied before a rebuild, in an order that satisfies foreign keys. */
  readonly tables: readonly string[];
  apply(event: CatalogEvent, tx: SqlTx): Promise<void>;
  /**
   * For read models whose rows many events touch (counters): applies a whole batch at once, with
   * the same result as `apply` event by event. When present, batches use it; `apply` then serves
   * only to name the event a failing batch stumbled on.
   */
  applyAll?(events: CatalogEvent[], tx: SqlTx): Promise<void>;
  /**
   * false for subscribers with effects outside their tables (job dispatch): replaying them would
   * redo the effects, so `rebuild` refuses them.
   */
  readonly replayable?: boolean;
  /**
   * true for read models that ACME requests read: applied in the same transaction as the events
   * that change them (no checkpoint to wait for); false for background views that follow the feed.
   */
  readonly inline?: boolean;
  /** Called after a batch this projection applied events in has committed (local wake-ups). */
  afterCommit?(): void;
}

export const checkpointId = (p: Pick<Projection, 'name'>) => `projection:${p.name}`;

export const handlesEvent = (p: Pick<Projection, 'handles'>, type: string) => p.handles === 'all' || p.handles.includes(type);

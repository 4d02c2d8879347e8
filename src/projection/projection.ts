// pg's own value formatting, so an array-typed column's value means what it would as a bound parameter.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(v: unknown): string | null };
import type { EventDataByType, EventType } from '../domain/events';
import type { StoredEvent } from '../eventstore/event-store';

/**
 * A stored event typed by the catalog: `switch (e.type)` narrows `e.data` to that event's shape,
 * so projections need no casts. The engine hands every event over as one of these.
 */
export type CatalogEvent = {
  [K in EventType]: Omit<StoredEvent, 'type' | 'data'> & { type: K; data: EventDataByType[K] };
}[EventType];

/** The catalog events of one type, for the list a set-based statement writes. */
export type CatalogEventOf<K extends EventType> = Extract<CatalogEvent, { type: K }>;

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
   * Applies a whole batch in a few set-based statements, with the same result as `apply` event by
   * event. When present, every path uses it (inline appends, catch-up, rebuild), so a rebuild runs
   * the live code; `apply` is then the batch of one (see `batchProjection`) and serves to name the
   * event a failing batch stumbled on.
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

/** A projection written batch first: one event is applied as a batch of one, by the same code. */
export function batchProjection(p: Omit<Projection, 'apply' | 'applyAll'> & Required<Pick<Projection, 'applyAll'>>): Projection {
  return { ...p, apply: (event, tx) => p.applyAll([event], tx) };
}

/**
 * Splits a batch into rounds in which no key (the row a statement writes) repeats, each key's
 * events staying in order. Statements on different rows commute, so each round can be written with
 * one set-based statement per kind of event, and the rounds in order leave the same rows as the
 * events applied one by one. Keys that each event writes once (an append-only table) make one round.
 */
export function rounds<E>(events: readonly E[], keyOf: (e: E) => string): E[][] {
  const out: E[][] = [];
  const seen = new Map<string, number>();
  for (const e of events) {
    const key = keyOf(e);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (out[round] ??= []).push(e);
  }
  return out;
}

/**
 * Rows as a relation for one set-based statement: `from` is `(…) AS r` over unnest($1::type[], …),
 * one array parameter per column, so a thousand rows are a few values instead of thousands of
 * literals to parse. An array-typed column travels as each row's array literal in a text[] (an SQL
 * array cannot hold arrays of different lengths) and is cast back row by row.
 */
export function unnestRows(columns: Readonly<Record<string, string>>, rows: readonly (readonly unknown[])[]): { names: string; from: string; params: unknown[] } {
  const entries = Object.entries(columns);
  // Each column is turned into its array literal here, where it is built, rather than when the
  // statement reaches the connection: the engine builds the next batch while the last one runs.
  const params = entries.map(([, type], i) =>
    prepareValue(rows.map((row) => (type.endsWith('[]') && row[i] != null ? prepareValue(row[i]) : row[i]))),
  );
  const names = entries.map(([name]) => name).join(', ');
  const arrays = entries.map(([, type], i) => `$${i + 1}::${type.endsWith('[]') ? 'text' : type}[]`).join(', ');
  const select = entries.map(([name, type]) => (type.endsWith('[]') ? `u.${name}::${type} AS ${name}` : `u.${name}`)).join(', ');
  return { names, from: `(SELECT ${select} FROM unnest(${arrays}) AS u(${names})) AS r`, params };
}

/**
 * The event store port. Command handlers append to streams with an expected revision; projections
 * and processors read the global feed from a checkpoint and follow it live. There is one adapter,
 * PostgreSQL (src/eventstore/postgres/), and it passes the contract suite in test/contract/. No
 * other adapter exists (a KurrentDB one was planned, and its configuration keys are refused): one
 * is added, with a key to choose it, only once it passes the same suite against a real server.
 */

import type { SqlPart } from '../db/db';

/** Revision of a stream: the 0-based position of its last event; -1 before the first. */
export type StreamRevision = number;

/** What the writer believes about the stream before appending. */
export type ExpectedRevision = StreamRevision | 'no_stream' | 'stream_exists' | 'any';

/** Who and what caused an event: kept for every event, shown to auditors. */
export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  /** e.g. "account:<id>", "admin:<user>", "system:<processor>". */
  actor?: string;
  sourceIp?: string;
  serverId?: string;
  requestId?: string;
  [extra: string]: unknown;
}

export interface NewEvent<T = unknown> {
  /** A UUID; generated when absent. */
  id?: string;
  type: string;
  schemaVersion?: number;
  data: T;
  metadata?: EventMetadata;
}

export interface StoredEvent<T = unknown> {
  eventId: string;
  streamId: string;
  streamPosition: number;
  /** Opaque global position; compare with `comparePositions`, never as a timestamp. */
  position: string;
  type: string;
  schemaVersion: number;
  data: T;
  metadata: EventMetadata;
  recordedAt: Date;
}

export interface AppendResult {
  /** The stream's revision after the append (pass it as the next expected revision). */
  nextExpectedRevision: StreamRevision;
  /** Global position of the last appended event. */
  position: string;
  /** The appended events as stored (ids, positions, recording time). */
  events: StoredEvent[];
}

/** Takes the statements that commit with an append; nothing reads what they return. */
export interface TransactionQuery {
  query(text: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

export interface AppendOptions {
  /**
   * The writes that must commit, or roll back, with the events: the inline read models and the
   * job rows. Called before the append reaches the database, with the events as they will be
   * stored (ids, stream, data, metadata and recording time; the global position is not known yet,
   * nor the stream position for 'any' and 'stream_exists'), so that its statements travel with the
   * append in one round trip. Writes only: `writes` answers every statement with no rows.
   */
  inTransaction?: (writes: TransactionQuery, events: StoredEvent[]) => Promise<void>;
}

export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

/** Streams named by the events of others: see `EventStore.readStreams`. */
export interface StreamLink {
  eventType: string;
  field: string;
  prefix: string;
}

/**
 * A read of several streams as a scalar SQL expression, for a caller that runs it inside another
 * statement (a request's nonce redemption and key lookup): `parse` turns the expression's value
 * into what `readStreams` returns.
 */
export interface StreamsRead extends SqlPart {
  parse(value: unknown): Map<string, StoredEvent[]>;
}

export interface Subscription {
  /** Stops delivery and waits for the batch in progress. */
  stop(): Promise<void>;
  /** Resolves when the subscription ends: stopped, or failed (rejects with the handler's error). */
  readonly done: Promise<void>;
}

export interface SubscribeOptions {
  /** Deliver events after this position; START_POSITION for everything. */
  after: string;
  maxBatch?: number;
  /** Called with each batch, in global order; the next batch waits for it to resolve. */
  handler: (events: StoredEvent[]) => Promise<void>;
}

export const START_POSITION = '0/0';

export class WrongExpectedRevisionError extends Error {
  override name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: StreamRevision | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

export interface EventStore {
  /** Appends atomically to one stream; throws WrongExpectedRevisionError on a conflict. */
  append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Appends to several streams in one atomic step (reservations beside the domain event). */
  appendMulti(appends: StreamAppend[], options?: AppendOptions): Promise<AppendResult[]>;
  /** All events of a stream from a revision, in order; [] for a stream that does not exist. */
  readStream(streamId: string, options?: { fromRevision?: StreamRevision; maxCount?: number }): Promise<StoredEvent[]>;
  /**
   * Several streams in one round trip, each in order ([] for a missing one), keyed by stream id.
   * With `linked`, also the streams whose ids the `field` (a string array) of the `eventType`
   * events of `streamIds` lists, each prefixed with `prefix`: an aggregate and the aggregates it
   * names, read in one statement.
   */
  readStreams(streamIds: string[], linked?: StreamLink): Promise<Map<string, StoredEvent[]>>;
  /** The same read as `readStreams`, for the caller to run inside a statement of its own. */
  streamsRead(streamIds: string[], linked?: StreamLink): StreamsRead;
  /** The stream's revision, or -1 when it does not exist. */
  streamRevision(streamId: string): Promise<StreamRevision>;
  /**
   * The global feed after a position, in a stable order without gaps. `committed: true` drops the
   * gap guard and returns every committed event: only for a reader that has stopped all writers
   * of what it builds (an inline read model's rebuild holds its tables' lock).
   */
  readAll(options: { after: string; maxCount: number; until?: string; committed?: boolean }): Promise<StoredEvent[]>;
  /**
   * Calls `listener` whenever the feed may have moved (an append here, or another instance's
   * notification), without reading it; returns the function that stops the calls.
   */
  onAppend(listener: () => void): () => void;
  /** Follows the global feed from a position: catch-up then live. */
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Position of the last event readers can see now (START_POSITION when empty). */
  headPosition(): Promise<string>;
  /** How many readable events lie after a position (projection lag). */
  countAfter(position: string): Promise<number>;
  /** Negative, zero or positive, as a sort comparator over positions. */
  comparePositions(a: string, b: string): number;
  close(): Promise<void>;
}

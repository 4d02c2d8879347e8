import { type DomainEvent, assertKnownEvent } from '../domain/events';
import { AcmeError } from '../domain/errors';
import type { AppendOptions, EventMetadata, EventStore, ExpectedRevision, StoredEvent, StreamAppend, TransactionQuery } from '../eventstore/event-store';
import { WrongExpectedRevisionError } from '../eventstore/event-store';
import { EVENT_SCHEMA_VERSIONS } from '../domain/events';

/**
 * Loads aggregates by folding their stream, and appends decided events with the revision they
 * were decided on. Conflicts are retried a bounded number of times by `withRetry`, then answered
 * as a problem document, never dropped.
 */
export interface Loaded<S> {
  state: S | null;
  revision: number;
  events: StoredEvent[];
}

export type Evolve<S> = (state: S | null, e: DomainEvent, recordedAt: Date) => S | null;

export function toDomainEvent(e: StoredEvent): DomainEvent {
  assertKnownEvent(e.type);
  return { type: e.type, data: e.data } as DomainEvent;
}

/** An aggregate's state from its events, in stream order. */
export function fold<S>(events: StoredEvent[], evolve: Evolve<S>): Loaded<S> {
  let state: S | null = null;
  for (const e of events) state = evolve(state, toDomainEvent(e), e.recordedAt);
  return { state, revision: events.length - 1, events };
}

/** Streams the caller read beforehand (with the request's key lookup), keyed by stream id. */
export type ReadStreams = Map<string, StoredEvent[]>;

/** A stream's state from what the caller read beforehand; undefined when it did not read it. */
export function foldRead<S>(read: ReadStreams | null | undefined, streamId: string, evolve: Evolve<S>): Loaded<S> | undefined {
  const events = read?.get(streamId);
  return events ? fold(events, evolve) : undefined;
}

/**
 * What must commit with every append: the inline read models and the safety-net job rows,
 * written on `writes`, which travel with the append in its round trip.
 */
export type InTransaction = NonNullable<AppendOptions['inTransaction']>;

export class AggregateStore {
  /** `defaults` (the node's serverId) are recorded in every event's metadata. */
  constructor(
    readonly store: EventStore,
    private readonly defaults: EventMetadata = {},
    private readonly inTransaction: InTransaction = async () => undefined,
  ) {}

  /** The stream folded; from `read` when the caller read it already, else read now. */
  async load<S>(streamId: string, evolve: Evolve<S>, read?: ReadStreams | null): Promise<Loaded<S>> {
    return foldRead(read, streamId, evolve) ?? fold(await this.store.readStream(streamId), evolve);
  }

  /** Several aggregates of one kind in one round trip, in the order of `streamIds`. */
  async loadMany<S>(streamIds: string[], evolve: Evolve<S>): Promise<Loaded<S>[]> {
    const read = await this.store.readStreams(streamIds);
    return streamIds.map((id) => fold(read.get(id) ?? [], evolve));
  }

  /**
   * Appends to one or several streams atomically, with the inline read models and job rows in the
   * same transaction (and `also`, the caller's own share: writes only, sent with the append);
   * returns the events as stored.
   */
  async append(
    appends: Array<{ streamId: string; events: DomainEvent[]; expected: ExpectedRevision }>,
    metadata: EventMetadata,
    also?: (tx: TransactionQuery) => Promise<void>,
  ): Promise<StoredEvent[]> {
    const batch: StreamAppend[] = appends
      .filter((a) => a.events.length > 0)
      .map((a) => ({
        streamId: a.streamId,
        expectedRevision: a.expected,
        events: a.events.map((e) => ({ type: e.type, data: e.data, schemaVersion: EVENT_SCHEMA_VERSIONS[e.type], metadata: { ...this.defaults, ...metadata } })),
      }));
    if (batch.length === 0) return [];
    const results = await this.store.appendMulti(batch, {
      inTransaction: async (writes, events) => {
        await this.inTransaction(writes, events);
        await also?.(writes);
      },
    });
    return results.flatMap((r) => r.events);
  }
}

/** Runs a load-decide-append step again when another writer got there first. */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof WrongExpectedRevisionError)) throw e;
      if (i >= attempts) {
        throw new AcmeError('serverInternal', `the resource changed concurrently ${attempts} times; retry the request`, [], { reason: { kind: 'conflict' } });
      }
    }
  }
}

import type { DomainEvent } from '../domain/events';
import type { EventMetadata, ExpectedRevision, StoredEvent, TransactionQuery } from '../eventstore/event-store';
import { type AggregateStore, type Evolve, toDomainEvent, withRetry } from './aggregate-store';

/** Other streams a decision writes in the same atomic append (reservations, new resources). */
export interface StreamWrite {
  streamId: string;
  events: DomainEvent[];
  expected: ExpectedRevision;
}

/** What a decider returned for the command's stream, and whatever else must commit with it. */
export type Decision =
  | DomainEvent[]
  | {
      events: DomainEvent[];
      alongside?: StreamWrite[];
      /** The caller's own share of the transaction (removing the job this work stood for): writes only, sent with the append. */
      inTransaction?: (tx: TransactionQuery) => Promise<void>;
    };

export interface Command<S> {
  streamId: string;
  evolve: Evolve<S>;
  /** Pure: the events for `state`, or an AcmeError. Called again after a revision conflict. */
  decide: (state: S | null, revision: number) => Decision | Promise<Decision>;
  metadata: EventMetadata;
  /** The stream id was just drawn, so there is nothing to load: it must not exist yet. */
  create?: boolean;
  /**
   * The stream as the caller already read it: the first decision is made on it without reading
   * again; a revision conflict means it was stale, and the retry loads the stream.
   */
  known?: { state: S | null; revision: number };
}

export interface Handled<S> {
  /** The stream's state after the append (folded locally: no second read). */
  state: S | null;
  revision: number;
  events: StoredEvent[];
}

/**
 * The one write path: load the stream, decide, append with the revision the decision was made on
 * (inline read models and job rows in the same transaction), and on a revision conflict start
 * over from the load. Every writer of the product goes through here.
 */
export async function handleCommand<S>(aggregates: AggregateStore, command: Command<S>): Promise<Handled<S>> {
  let known = command.known;
  return withRetry(async () => {
    const loaded = command.create ? { state: null, revision: -1 } : (known ?? (await aggregates.load<S>(command.streamId, command.evolve)));
    known = undefined;
    const decision = await command.decide(loaded.state, loaded.revision);
    const { events, alongside = [], inTransaction } = Array.isArray(decision) ? { events: decision } : decision;
    const expected: ExpectedRevision = loaded.revision < 0 ? 'no_stream' : loaded.revision;
    const stored = await aggregates.append([{ streamId: command.streamId, events, expected }, ...alongside], command.metadata, inTransaction);
    let state = loaded.state;
    let revision = loaded.revision;
    for (const e of stored) {
      if (e.streamId !== command.streamId) continue;
      state = command.evolve(state, toDomainEvent(e), e.recordedAt);
      revision = e.streamPosition;
    }
    return { state, revision, events: stored };
  });
}

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Client, type Pool, type PoolClient, type QueryResult } from 'pg';
import { isDatabaseUnavailable } from '../../db/pool-errors';
import { runPipelined, type Statement } from '../../db/pipelined-statements';
import { quote, StatementBatch } from '../../db/statement-batch';
import {
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type StoredEvent,
  type StreamAppend,
  type StreamLink,
  type StreamRevision,
  type StreamsRead,
  type SubscribeOptions,
  type Subscription,
  START_POSITION,
  WrongExpectedRevisionError,
} from '../event-store';
import { comparePgPositions, formatPosition, parsePosition } from './position';
import { PollingSubscription } from './polling-subscription';
import { storedEvent, streamsRead } from './streams-read';

export const NOTIFY_CHANNEL = 'certledger_events';
const NOTIFY_DEBOUNCE_MS = 100;
/**
 * Names this process in its notifications: its own subscribers were already woken by the append
 * itself, so the notification coming back to them through LISTEN is dropped instead of costing
 * every subscriber another read of the feed.
 */
const THIS_PROCESS = randomUUID();

export interface PostgresEventStoreOptions {
  pool: Pool;
  /** Connection string for the dedicated LISTEN connection (LISTEN cannot share a pool). */
  listenUrl?: string;
  /** Safety-net polling interval for subscriptions, in milliseconds. */
  pollIntervalMs?: number;
  /** Called with the committed events after each local append (to wake subscribers held by another store instance). */
  onAppended?: (events: StoredEvent[]) => void;
  /**
   * How many append transactions this store runs at once; appends that arrive meanwhile wait and
   * then go together, in one transaction, when one of them ends (group commit).
   */
  maxTransactionsInFlight?: number;
}

/**
 * One: while a transaction is out, the appends that arrive fill the next one. On the 2-core
 * benchmark machine, 1, 2 and 3 in flight gave the same append rate within the noise, because
 * PostgreSQL's work per event is the limit either way; one gives the largest batches and so the
 * least Node CPU per append (two thirds of what two in flight take), which the rest of the server
 * can use (docs/adr/0019-group-commit.md).
 */
const DEFAULT_TRANSACTIONS_IN_FLIGHT = 1;

const SELECT_EVENT = `event_id, stream_id, stream_position, transaction_id::text AS xid, global_position::text AS seq,
  event_type, schema_version, data, metadata, recorded_at`;

// Only rows of transactions older than every transaction still running are readable: a writer
// that took its sequence value earlier but commits later can then never be skipped.
const VISIBLE = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

/**
 * es_append's CL409 names the stream and its actual revision; a duplicate (stream, position) key is
 * the backstop for a writer the streams row did not stop. Both are revision conflicts.
 */
function asConflict(e: unknown, appends: StreamAppend[]): unknown {
  const err = e as { code?: string; message?: string; detail?: string; constraint?: string };
  if (err?.code === 'CL409') return conflictOn(appends, /^stream (.*): expected revision/.exec(err.message ?? '')?.[1] ?? '', err.detail);
  if (err?.code === '23505' && /es_events_pkey/.test(String(err.constraint ?? err.message))) {
    return new WrongExpectedRevisionError(appends[0].streamId, appends[0].expectedRevision, 'no_stream');
  }
  return e;
}

/**
 * The revision conflict es_append reported on `stream` (its actual revision as text, 'no_stream'
 * when it does not exist), as the error of the append of `appends` it belongs to.
 */
function conflictOn(appends: StreamAppend[], stream: string, actual: string | undefined): WrongExpectedRevisionError {
  const a = appends.find((x) => x.streamId === stream) ?? appends[0];
  return new WrongExpectedRevisionError(a.streamId, a.expectedRevision, actual === undefined || actual === 'no_stream' ? 'no_stream' : Number(actual));
}

/** One appendMulti call as es_append and es_append_each take it. */
type AppendGroup = Array<{ stream: string; expected: string; at: string; events: Array<{ id: string; type: string; version: number; data: unknown; meta: EventMetadata }> }>;

/** An append waiting for a transaction. */
interface Pending {
  appends: StreamAppend[];
  /** Its AppendGroup as JSON, built once. */
  json: string;
  /** The statements that commit with it (`inTransaction`), built before it was queued. */
  writes: Statement[];
  events: number;
  /** Its size as the group commit caps count it. */
  bytes: number;
  resolve(results: AppendResult[]): void;
  reject(e: unknown): void;
}

const noop = () => undefined;

/**
 * Group commit caps. Every append of a batch runs in a subtransaction of its own, which takes one
 * subtransaction id, and PostgreSQL keeps up to 64 of them per backend in shared memory: past
 * that, every snapshot taken anywhere while the transaction runs has to look them up in
 * pg_subtrans. 32 stays well inside. The event and byte caps keep a batch's statement, and the
 * inline read models' statements that go with its COMMIT, moderate; a larger append goes alone.
 */
const MAX_BATCH_APPENDS = 32;
const MAX_BATCH_EVENTS = 1000;
const MAX_BATCH_BYTES = 1_000_000;

/** The rows es_append returned for one appendMulti call, as its results, in the order of its appends. */
function resultsOf(appends: StreamAppend[], rows: Record<string, any>[]): AppendResult[] {
  return appends.map((a) => {
    const events = rows.filter((row) => row.stream_id === a.streamId).map(storedEvent).sort((x, y) => x.streamPosition - y.streamPosition);
    return { nextExpectedRevision: events[events.length - 1].streamPosition, position: events[events.length - 1].position, events };
  });
}

/**
 * The events of one stream's append as es_append will store them, for the writes built before it
 * is sent: the stream position is known only for a numeric or 'no_stream' expected revision (-1
 * otherwise), and the global position only once the events are stored ('').
 */
function pendingEvents(group: AppendGroup[number], expected: ExpectedRevision, recordedAt: Date): StoredEvent[] {
  const first = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : null;
  return group.events.map((e, i) => ({
    eventId: e.id,
    streamId: group.stream,
    streamPosition: first === null ? -1 : first + i,
    position: '',
    type: e.type,
    schemaVersion: e.version,
    data: e.data,
    metadata: e.meta,
    recordedAt,
  }));
}

export class PostgresEventStore implements EventStore {
  /** In-process wake-up for local subscribers; LISTEN/NOTIFY carries it across instances. */
  private readonly appended = new EventEmitter();
  private listener?: Client;
  private listenerStarting?: Promise<void>;
  private readonly subscriptions = new Set<PollingSubscription>();
  private closed = false;
  private notifyTimer?: NodeJS.Timeout;

  private readonly maxInFlight: number;

  constructor(private readonly opts: PostgresEventStoreOptions) {
    this.appended.setMaxListeners(0);
    this.maxInFlight = Math.max(1, opts.maxTransactionsInFlight ?? DEFAULT_TRANSACTIONS_IN_FLIGHT);
  }

  get pool(): Pool {
    return this.opts.pool;
  }

  async append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const [result] = await this.appendMulti([{ streamId, events, expectedRevision }]);
    return result;
  }

  /**
   * Appends wait here while `maxInFlight` transactions are already out; a transaction that ends
   * takes everything waiting (up to the caps) as its next one. See `appendMulti`.
   */
  private readonly waiting: Pending[] = [];
  private inFlight = 0;

  /**
   * The events get their ids and recording time here, and the writes that commit with them
   * (`inTransaction`: inline read models, job rows) are built from them before anything is sent.
   * An append runs at once, alone, when a transaction slot is free and nothing waits: one round
   * trip, es_append (the streams' compare-and-swap and the events' insert) and then its writes, as
   * one implicit transaction. While the slots are taken, appends queue, and each slot that frees up
   * sends the queued ones together (group commit: one es_append_each over all of them, then the
   * writes of those that did not conflict with the COMMIT), each still all or nothing on its own and
   * with its own result. The CPU per append, in Node and in PostgreSQL, is what limits concurrent
   * writers, not the WAL flush: a shared transaction spreads its round trips, statement starts
   * and commit over all its appends (docs/adr/0019-group-commit.md).
   */
  async appendMulti(appends: StreamAppend[], options: AppendOptions = {}): Promise<AppendResult[]> {
    if (appends.length === 0) return [];
    for (const a of appends) if (a.events.length === 0) throw new Error(`append to ${a.streamId}: no events`);
    // Ids and time are fixed here, once: the writes are built from them, and an append run again
    // after its group's transaction rolled back carries the same event ids, so the unique event_id
    // stops any second copy.
    const recordedAt = new Date();
    const at = recordedAt.toISOString();
    const group: AppendGroup = appends.map((a) => ({
      stream: a.streamId,
      expected: String(a.expectedRevision),
      at,
      events: a.events.map((e) => ({ id: e.id ?? randomUUID(), type: e.type, version: e.schemaVersion ?? 1, data: e.data ?? null, meta: e.metadata ?? {} })),
    }));
    let writes: Statement[] = [];
    let writesBytes = 0;
    if (options.inTransaction) {
      const batch = new StatementBatch();
      await options.inTransaction(batch, group.flatMap((g, i) => pendingEvents(g, appends[i].expectedRevision, recordedAt)));
      writesBytes = batch.bytes;
      writes = batch.takeStatements();
    }
    const json = JSON.stringify(group);
    const bytes = json.length + writesBytes;
    const pending: Pending = { appends, json, writes, events: appends.reduce((n, a) => n + a.events.length, 0), bytes, resolve: noop, reject: noop };
    const done = new Promise<AppendResult[]>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
    this.waiting.push(pending);
    this.startTransactions();
    return done;
  }

  /** Fills the free transaction slots with what waits. */
  private startTransactions(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      const run = batch.length === 1 ? this.runAlone(batch[0]) : this.runBatch(batch);
      void run.finally(() => {
        this.inFlight--;
        this.startTransactions();
      });
    }
  }

  /** The longest run of waiting appends, from the front, within the group commit caps. */
  private takeBatch(): Pending[] {
    let take = 0;
    let events = 0;
    let bytes = 0;
    for (const p of this.waiting) {
      if (take > 0 && (take >= MAX_BATCH_APPENDS || events + p.events > MAX_BATCH_EVENTS || bytes + p.bytes > MAX_BATCH_BYTES)) break;
      take++;
      events += p.events;
      bytes += p.bytes;
    }
    return this.waiting.splice(0, take);
  }

  /** One append in its own transaction, settling its promise; never rejects. */
  private async runAlone(p: Pending): Promise<void> {
    try {
      const results = await this.appendAlone(p);
      this.announce(results.flatMap((r) => r.events));
      p.resolve(results);
    } catch (e) {
      p.reject(e);
    }
  }

  /**
   * One append in its own transaction and one round trip: es_append and its writes as one pipeline
   * of prepared statements with one Sync, which PostgreSQL runs as one implicit transaction. A
   * failing statement rolls all of it back and leaves nothing open on the connection.
   */
  private async appendAlone(p: Pending): Promise<AppendResult[]> {
    try {
      return resultsOf(p.appends, await runPipelined(this.opts.pool, [{ text: 'SELECT * FROM es_append($1::jsonb)', params: [p.json] }, ...p.writes]));
    } catch (e) {
      throw asConflict(e, p.appends);
    }
  }

  /**
   * Several appends in one transaction. RT1: BEGIN and es_append_each, where each append runs in
   * a subtransaction of its own, so a revision conflict fails that append alone. RT2: the writes of
   * the appends that went in, and the COMMIT. Anything else that fails (a write, the COMMIT) rolls
   * the whole transaction back, and every append of it runs again alone, so the faulty one gets its
   * own error and the others still commit. Never rejects.
   */
  private async runBatch(batch: Pending[]): Promise<void> {
    let client: PoolClient | undefined;
    let open = false;
    const outcomes: Array<AppendResult[] | WrongExpectedRevisionError> = [];
    try {
      client = await this.opts.pool.connect();
      open = true;
      const groups = `[${batch.map((p) => p.json).join(',')}]`;
      // With no writes to send, the one statement is the whole transaction: one round trip.
      const writing = batch.some((p) => p.writes.length > 0);
      const rows = writing
        ? ((await client.query(`BEGIN; SELECT * FROM es_append_each(${quote(groups)}::jsonb)`)) as unknown as QueryResult[])[1].rows
        : (await client.query('SELECT * FROM es_append_each($1::jsonb)', [groups])).rows;
      const byGroup = batch.map(() => [] as Record<string, any>[]);
      for (const row of rows) byGroup[row.grp].push(row);
      const writes: Statement[] = [];
      for (const [i, p] of batch.entries()) {
        const mine = byGroup[i];
        if (mine.length === 1 && mine[0].conflict !== null) {
          outcomes.push(conflictOn(p.appends, mine[0].stream_id, mine[0].conflict));
          continue;
        }
        const results = resultsOf(p.appends, mine);
        outcomes.push(results);
        writes.push(...p.writes);
      }
      if (writing) await runPipelined(client, [...writes, { text: 'COMMIT', params: [] }]);
      open = false;
    } catch (e) {
      if (open) await client?.query('ROLLBACK').catch(() => undefined);
      client?.release();
      client = undefined;
      // Lost with the connection (or never had one), the transaction's fate is unknown or it never
      // began: running the appends again could write twice what did commit, so each gets the error,
      // as it would have alone. Any other error was answered by the server inside the transaction,
      // which is then rolled back: run each append alone to find the one it belongs to.
      if (!open || isDatabaseUnavailable(e)) {
        for (const p of batch) p.reject(e);
        return;
      }
      for (const p of batch) await this.runAlone(p);
      return;
    } finally {
      client?.release();
    }
    try {
      this.announce(outcomes.flatMap((o) => (o instanceof Error ? [] : o.flatMap((x) => x.events))));
    } catch (e) {
      // Committed, but a listener failed: each append reports it, as a lone append does.
      for (const p of batch) p.reject(e);
      return;
    }
    for (const [i, p] of batch.entries()) {
      const o = outcomes[i];
      if (o instanceof Error) p.reject(o);
      else p.resolve(o);
    }
  }

  /** After a commit: local subscribers now, other instances by a debounced NOTIFY. */
  private announce(events: StoredEvent[]): void {
    if (events.length === 0) return;
    this.wakeSubscribers();
    this.scheduleNotify();
    this.opts.onAppended?.(events);
  }

  private async revisionIn(client: PoolClient | Pool, streamId: string): Promise<StreamRevision | 'no_stream'> {
    const r = await client.query('SELECT version FROM es_streams WHERE stream_id = $1', [streamId]);
    return r.rowCount ? Number(r.rows[0].version) : 'no_stream';
  }

  /**
   * Tells other instances' subscribers that the feed moved, at most once per NOTIFY_DEBOUNCE_MS and
   * outside the writers' transactions: a NOTIFY inside a transaction holds a cluster-wide lock
   * through its commit, which serialises every writer and defeats group commit. Their polling
   * covers a notification lost in between.
   */
  private scheduleNotify(): void {
    if (this.notifyTimer || this.closed) return;
    this.notifyTimer = setTimeout(() => void this.notifyNow(), NOTIFY_DEBOUNCE_MS);
    this.notifyTimer.unref();
  }

  private async notifyNow(): Promise<void> {
    clearTimeout(this.notifyTimer);
    this.notifyTimer = undefined;
    await this.opts.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, THIS_PROCESS]).catch(() => undefined);
  }

  /** Wakes this store's subscriptions now (a local append happened). */
  wakeSubscribers(): void {
    this.appended.emit('append');
  }

  async readStream(streamId: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<StoredEvent[]> {
    const r = await this.opts.pool.query(
      `SELECT ${SELECT_EVENT} FROM es_events WHERE stream_id = $1 AND stream_position >= $2
       ORDER BY stream_position LIMIT $3`,
      [streamId, options.fromRevision ?? 0, options.maxCount ?? null],
    );
    return r.rows.map(storedEvent);
  }

  async readStreams(streamIds: string[], linked?: StreamLink): Promise<Map<string, StoredEvent[]>> {
    if (streamIds.length === 0) return new Map();
    const read = this.streamsRead(streamIds, linked);
    const r = await this.opts.pool.query(`SELECT ${read.sql(1)} AS events`, read.params);
    return read.parse(r.rows[0].events);
  }

  streamsRead(streamIds: string[], linked?: StreamLink): StreamsRead {
    return streamsRead(streamIds, linked);
  }

  async streamRevision(streamId: string): Promise<StreamRevision> {
    const rev = await this.revisionIn(this.opts.pool, streamId);
    return rev === 'no_stream' ? -1 : rev;
  }

  async readAll(options: { after: string; maxCount: number; until?: string; committed?: boolean }): Promise<StoredEvent[]> {
    const after = parsePosition(options.after);
    const until = options.until ? parsePosition(options.until) : undefined;
    const r = await this.opts.pool.query(
      `SELECT ${SELECT_EVENT} FROM es_events
       WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint) AND ${options.committed ? 'true' : VISIBLE}
         AND ($4::text IS NULL OR (transaction_id, global_position) <= ($4::text::xid8, $5::bigint))
       ORDER BY transaction_id, global_position LIMIT $3`,
      [after.xid.toString(), after.seq.toString(), options.maxCount, until?.xid.toString() ?? null, until?.seq.toString() ?? null],
    );
    return r.rows.map(storedEvent);
  }

  async headPosition(): Promise<string> {
    const r = await this.opts.pool.query(
      `SELECT transaction_id::text AS xid, global_position::text AS seq FROM es_events WHERE ${VISIBLE}
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return r.rowCount ? formatPosition(r.rows[0].xid, r.rows[0].seq) : START_POSITION;
  }

  async countAfter(position: string): Promise<number> {
    const p = parsePosition(position);
    const r = await this.opts.pool.query(
      `SELECT count(*)::bigint AS n FROM es_events
       WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint) AND ${VISIBLE}`,
      [p.xid.toString(), p.seq.toString()],
    );
    return Number(r.rows[0].n);
  }

  comparePositions(a: string, b: string): number {
    return comparePgPositions(a, b);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    void this.ensureListener();
    const sub = new PollingSubscription(this, options, this.opts.pollIntervalMs ?? 500, (wake) => {
      this.appended.on('append', wake);
      return () => this.appended.off('append', wake);
    });
    this.subscriptions.add(sub);
    sub.done.finally(() => this.subscriptions.delete(sub)).catch(() => undefined);
    return sub;
  }

  onAppend(listener: () => void): () => void {
    void this.ensureListener();
    this.appended.on('append', listener);
    return () => this.appended.off('append', listener);
  }

  /** One LISTEN connection per store; a lost connection is re-established, and polling covers the gap. */
  private ensureListener(): Promise<void> {
    if (!this.opts.listenUrl || this.listener || this.listenerStarting || this.closed) return Promise.resolve();
    this.listenerStarting = (async () => {
      const client = new Client({ connectionString: this.opts.listenUrl });
      client.on('notification', (n) => {
        if (n.payload !== THIS_PROCESS) this.appended.emit('append');
      });
      client.on('error', () => {
        this.listener = undefined;
        client.end().catch(() => undefined);
        if (!this.closed) setTimeout(() => void this.ensureListener(), 1000).unref();
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
        this.listener = client;
        this.appended.emit('append');
      } catch {
        await client.end().catch(() => undefined);
        if (!this.closed) setTimeout(() => void this.ensureListener(), 1000).unref();
      }
    })().finally(() => {
      this.listenerStarting = undefined;
    });
    return this.listenerStarting;
  }

  async close(): Promise<void> {
    this.closed = true;
    // A one-shot command appends and closes at once: other instances hear of its events now, not
    // at their next poll.
    if (this.notifyTimer) await this.notifyNow();
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
    await this.listenerStarting?.catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }
}

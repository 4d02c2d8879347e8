import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Client, type Pool, type PoolClient, type QueryResult } from 'pg';
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
}

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
  if (err?.code === 'CL409') {
    const stream = /^stream (.*): expected revision/.exec(err.message ?? '')?.[1] ?? '';
    const a = appends.find((x) => x.streamId === stream) ?? appends[0];
    const actual = err.detail === 'no_stream' || err.detail === undefined ? 'no_stream' : Number(err.detail);
    return new WrongExpectedRevisionError(a.streamId, a.expectedRevision, actual);
  }
  if (err?.code === '23505' && /es_events_pkey/.test(String(err.constraint ?? err.message))) {
    return new WrongExpectedRevisionError(appends[0].streamId, appends[0].expectedRevision, 'no_stream');
  }
  return e;
}

/**
 * The events of one stream's append as es_append will store them, for the writes built before it
 * is sent: the stream position is known only for a numeric or 'no_stream' expected revision (-1
 * otherwise), and the global position only once the events are stored ('').
 */
function pendingEvents(
  group: { stream: string; events: Array<{ id: string; type: string; version: number; data: unknown; meta: EventMetadata }> },
  expected: ExpectedRevision,
  recordedAt: Date,
): StoredEvent[] {
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

  constructor(private readonly opts: PostgresEventStoreOptions) {
    this.appended.setMaxListeners(0);
  }

  get pool(): Pool {
    return this.opts.pool;
  }

  async append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const [result] = await this.appendMulti([{ streamId, events, expectedRevision }]);
    return result;
  }

  /**
   * One round trip per append. The events get their ids and recording time here, so the writes
   * that commit with them (`inTransaction`: inline read models, job rows) are built before the
   * append is sent, and travel in the same simple-protocol query: es_append (the streams'
   * compare-and-swap and the events' insert) and then those writes, as one implicit transaction.
   * A failing statement rolls all of it back, with nothing left open on the connection.
   */
  async appendMulti(appends: StreamAppend[], options: AppendOptions = {}): Promise<AppendResult[]> {
    if (appends.length === 0) return [];
    for (const a of appends) if (a.events.length === 0) throw new Error(`append to ${a.streamId}: no events`);
    const recordedAt = new Date();
    const at = recordedAt.toISOString();
    const groups = appends.map((a) => ({
      stream: a.streamId,
      expected: String(a.expectedRevision),
      at,
      events: a.events.map((e) => ({ id: e.id ?? randomUUID(), type: e.type, version: e.schemaVersion ?? 1, data: e.data ?? null, meta: e.metadata ?? {} })),
    }));
    let text = `SELECT * FROM es_append(${quote(JSON.stringify(groups))}::jsonb)`;
    if (options.inTransaction) {
      const writes = new StatementBatch();
      await options.inTransaction(writes, groups.flatMap((g, i) => pendingEvents(g, appends[i].expectedRevision, recordedAt)));
      const alongside = writes.take();
      if (alongside) text = `${text};\n${alongside}`;
    }
    let rows: Record<string, any>[];
    try {
      const r = (await this.opts.pool.query(text)) as unknown as QueryResult | QueryResult[];
      rows = (Array.isArray(r) ? r[0] : r).rows;
    } catch (e) {
      throw asConflict(e, appends);
    }
    const results = appends.map((a) => {
      const events = rows.filter((row) => row.stream_id === a.streamId).map(storedEvent).sort((x, y) => x.streamPosition - y.streamPosition);
      return { nextExpectedRevision: events[events.length - 1].streamPosition, position: events[events.length - 1].position, events };
    });
    this.wakeSubscribers();
    this.scheduleNotify();
    this.opts.onAppended?.(results.flatMap((r) => r.events));
    return results;
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

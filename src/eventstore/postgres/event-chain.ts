import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { formatPosition } from './position';
import type { Db } from '../../db/db';
import { StatementBatch } from '../../db/statement-batch';

/**
 * The hash chain of the event history. Each event's digest is
 *   SHA-256(previous digest || "\n" || canonical form)
 * in the global order readers use, (transaction_id, global_position), starting from GENESIS. The
 * canonical form is a JSON array of the event's columns, with data and metadata as PostgreSQL's
 * own jsonb text (keys in a fixed order) and recorded_at to the microsecond in UTC.
 *
 * Appenders commit concurrently and their sequence values commit out of order, so the chain
 * cannot be extended inside each append without serialising every writer. A single chaining step
 * (one instance at a time, under an advisory lock) extends it instead, right after commits, over
 * exactly the rows the feed can read (transaction ids below the snapshot's xmin): the order it
 * chains is the order every reader sees, and appends pay nothing for it.
 */
export const CHAIN_GENESIS = createHash('sha256').update('certledger-event-chain-v1').digest('hex');

// Arbitrary constant shared by every instance: "certledger event chain".
const CHAIN_LOCK_KEY = 4242_0014;

/** A column of the last chained event, the one the chain continues from. */
const HEAD_OF = (column: string) => `SELECT ${column} FROM es_event_chain ORDER BY transaction_id DESC, global_position DESC LIMIT 1`;
const HEAD = HEAD_OF('digest');

/** The columns of the canonical form, read the same way by the chainer and the verifier. */
const CANONICAL_COLUMNS = `e.transaction_id::text AS xid, e.global_position::text AS seq, e.event_id::text AS event_id, e.stream_id,
  e.stream_position::text AS stream_position, e.event_type, e.schema_version, e.data::text AS data, e.metadata::text AS metadata,
  to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at`;

interface CanonicalRow {
  xid: string;
  seq: string;
  event_id: string;
  stream_id: string;
  stream_position: string;
  event_type: string;
  schema_version: number;
  data: string;
  metadata: string;
  recorded_at: string;
}

export function canonicalForm(r: CanonicalRow): string {
  return JSON.stringify([r.xid, r.seq, r.event_id, r.stream_id, r.stream_position, r.event_type, r.schema_version, r.data, r.metadata, r.recorded_at]);
}

export function chainDigest(previous: string, r: CanonicalRow): string {
  return createHash('sha256').update(previous).update('\n').update(canonicalForm(r)).digest('hex');
}

/**
 * Extends the chain over committed, not yet chained events, in batches; returns how many it
 * chained (0 when another instance holds the chaining lock or nothing is new).
 */
export async function extendChain(pool: Pool, batchSize = 1000): Promise<number> {
  const client = await pool.connect();
  // A connection cut while checked out emits 'error' on the client: without a listener the
  // process would crash. The pass fails with the query's own error; the client is then discarded.
  let lost: Error | undefined;
  const onError = (e: Error) => (lost = e);
  client.on('error', onError);
  let total = 0;
  try {
    for (;;) {
      try {
        // One round trip: BEGIN, the lock, then (each statement seeing what committed before it,
        // so after the lock) the chain's head and the events after it.
        const [, locked, head, events] = (await client.query(
          `BEGIN;
           SELECT pg_try_advisory_xact_lock(${CHAIN_LOCK_KEY}) AS ok;
           ${HEAD};
           SELECT ${CANONICAL_COLUMNS} FROM es_events e
           WHERE (e.transaction_id, e.global_position) > (coalesce((${HEAD_OF('transaction_id')}), '0'::xid8), coalesce((${HEAD_OF('global_position')}), 0))
             AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY e.transaction_id, e.global_position LIMIT ${Math.floor(batchSize)}`,
        )) as unknown as [unknown, { rows: { ok: boolean }[] }, { rows: { digest: string }[] }, { rows: CanonicalRow[] }];
        const rows = events.rows;
        if (!locked.rows[0].ok || rows.length === 0) {
          await client.query('ROLLBACK');
          return total;
        }
        let prev: string = head.rows[0]?.digest ?? CHAIN_GENESIS;
        const digests = rows.map((r) => (prev = chainDigest(prev, r)));
        // The digests and the COMMIT in one more round trip.
        const write = new StatementBatch();
        await write.query(`INSERT INTO es_event_chain (global_position, transaction_id, digest) SELECT * FROM unnest($1::bigint[], $2::text[]::xid8[], $3::text[])`, [
          rows.map((r) => r.seq),
          rows.map((r) => r.xid),
          digests,
        ]);
        await write.query('COMMIT');
        await write.flush(client);
        total += rows.length;
        if (rows.length < batchSize) return total;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        lost ??= e as Error;
        throw e;
      }
    }
  } finally {
    client.off('error', onError);
    client.release(lost);
  }
}

/**
 * Keeps the chain up to date on this instance: woken (coalesced) by the feed's wake-ups, which are
 * local appends and other instances' NOTIFY, and polling every pollIntervalMs only for a lost
 * notification. Errors are reported and retried at the next wake-up.
 */
export class EventChainer {
  private timer?: NodeJS.Timeout;
  private dueAt = Infinity;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly opts: { pollIntervalMs: number; coalesceMs?: number; onError?: (e: Error) => void },
  ) {}

  /** The first pass waits one poll interval: boot has enough to do at the same moment. */
  start(): void {
    this.schedule(this.opts.pollIntervalMs);
  }

  /** An append committed here: chain it shortly (several appends share one pass). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(this.opts.coalesceMs ?? 250);
  }

  /** Runs one pass now (tests, `events verify` on a live database). */
  async runOnce(): Promise<number> {
    return extendChain(this.pool);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Keeps the earlier of the pending pass and this one: a stream of wake-ups never postpones it. */
  private schedule(ms: number): void {
    if (this.stopped) return;
    const due = Date.now() + ms;
    if (this.timer && this.dueAt <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      void this.pass();
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    if (this.running || this.stopped) return;
    this.again = false;
    this.running = extendChain(this.pool)
      .then(() => undefined)
      .catch((e) => this.opts.onError?.(e as Error));
    await this.running;
    this.running = null;
    this.schedule(this.again ? 0 : this.opts.pollIntervalMs);
  }
}

export interface ChainBreak {
  /** The feed position "xid/seq" of the first event (or chain row) that does not check out. */
  position: string;
  globalPosition: string;
  reason: string;
}

export interface ChainReport {
  /** Events whose stored digest was recomputed and matched. */
  checked: number;
  /** Committed events after the chain's head, not chained yet (the chaining step is behind). */
  unchained: number;
  head: string | null;
  break: ChainBreak | null;
}

/**
 * Recomputes the chain from the events and compares it with the stored digests, in global order;
 * stops at the first event that was changed, removed or inserted afterwards.
 */
export async function verifyChain(pool: Pool, batchSize = 2000): Promise<ChainReport> {
  let prev = CHAIN_GENESIS;
  let checked = 0;
  let unchained = 0;
  let head: string | null = null;
  let after = { xid: '0', seq: '0' };
  const headRow = (await pool.query(`SELECT transaction_id::text AS xid, global_position::text AS seq FROM es_event_chain ORDER BY transaction_id DESC, global_position DESC LIMIT 1`)).rows[0];
  for (;;) {
    const rows = (
      await pool.query(
        `SELECT coalesce(e.transaction_id, c.transaction_id)::text AS order_xid, coalesce(e.global_position, c.global_position)::text AS order_seq,
                e.global_position IS NOT NULL AS has_event, c.digest, ${CANONICAL_COLUMNS}
         FROM (SELECT * FROM es_events WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())) e
         FULL OUTER JOIN es_event_chain c ON c.global_position = e.global_position
         WHERE (coalesce(e.transaction_id, c.transaction_id), coalesce(e.global_position, c.global_position)) > ($1::text::xid8, $2::bigint)
         ORDER BY coalesce(e.transaction_id, c.transaction_id), coalesce(e.global_position, c.global_position) LIMIT $3`,
        [after.xid, after.seq, batchSize],
      )
    ).rows;
    if (rows.length === 0) break;
    for (const r of rows) {
      const position = formatPosition(r.order_xid, r.order_seq);
      after = { xid: r.order_xid, seq: r.order_seq };
      if (!r.has_event) return { checked, unchained, head, break: { position, globalPosition: r.order_seq, reason: 'a chained event is missing (deleted from es_events)' } };
      if (r.digest === null) {
        const beforeHead = headRow && (BigInt(r.order_xid) < BigInt(headRow.xid) || (r.order_xid === headRow.xid && BigInt(r.order_seq) < BigInt(headRow.seq)));
        if (beforeHead) return { checked, unchained, head, break: { position, globalPosition: r.order_seq, reason: 'an event without a chain entry sits inside the chain (inserted afterwards)' } };
        unchained++;
        continue;
      }
      if (unchained > 0) return { checked, unchained, head, break: { position, globalPosition: r.order_seq, reason: 'a chain entry follows unchained events' } };
      const expected = chainDigest(prev, r);
      if (expected !== r.digest) {
        return { checked, unchained, head, break: { position, globalPosition: r.order_seq, reason: 'the stored digest does not match the event (the event, or the chain before it, was changed)' } };
      }
      prev = expected;
      head = position;
      checked++;
    }
  }
  return { checked, unchained, head, break: null };
}

/** The stored digest of each event by global position, for exports. */
export async function storedDigests(pool: Db, globalPositions: string[]): Promise<Map<string, string>> {
  if (globalPositions.length === 0) return new Map();
  const r = await pool.query(`SELECT global_position::text AS seq, digest FROM es_event_chain WHERE global_position = ANY($1::bigint[])`, [globalPositions]);
  return new Map(r.rows.map((x) => [x.seq as string, x.digest as string]));
}
